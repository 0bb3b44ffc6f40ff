#!/usr/bin/env python3
"""Pick-a-Pic Parquet golden file and reader for RoundsBroker's tests (tooling, not product).

  make_parquet_golden.py write OUT.parquet   # writes the fixed rows below with pyarrow
  make_parquet_golden.py read FILE.parquet   # prints the file's rows and types as JSON
  make_parquet_golden.py variants OUTDIR     # the same rows as pyarrow and pandas write by default

The golden file is committed at Tests/RoundsBrokerTests/Fixtures/pickapic_golden.parquet; the
Swift tests read it with Rounds' own reader (format compatibility without Python in CI) and, when
python3 + pyarrow are present, run `read` on the Swift-written file.

`read` also loads the file the way diffusers' Diffusion-DPO example consumes it
(pyarrow.parquet.read_table(...).to_pandas()) and reports each column's pandas dtype and the Python
type of its values: jpg_0/jpg_1 must be bytes, label_0 float64, caption and ids str.
"""
import json
import struct
import sys
import zlib

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        pa.field("jpg_0", pa.binary(), nullable=False),
        pa.field("jpg_1", pa.binary(), nullable=False),
        pa.field("label_0", pa.float64(), nullable=False),
        pa.field("caption", pa.string(), nullable=False),
        pa.field("image_id_0", pa.string(), nullable=False),
        pa.field("image_id_1", pa.string(), nullable=False),
        pa.field("condition", pa.string(), nullable=False),
    ]
)


def png_1x1(r, g, b):
    """A valid 1x1 RGB PNG, built by hand so the rows need no imaging library."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, r, g, b]), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# Keep in sync with PickAPicGolden.rows in Tests/RoundsBrokerTests/ParquetTests.swift.
ROWS = [
    {
        "jpg_0": png_1x1(255, 0, 0),
        "jpg_1": png_1x1(0, 0, 255),
        "label_0": 1.0,
        "caption": "vitiligo",
        "image_id_0": "a" * 64,
        "image_id_1": "b" * 64,
        "condition": "dermatology/vitiligo",
    },
    {
        "jpg_0": bytes(range(256)),
        "jpg_1": b"",
        "label_0": 0.0,
        "caption": 'lupus \u00e9ryth\u00e9mateux, "malar"',
        "image_id_0": "c" * 64,
        "image_id_1": "d" * 64,
        "condition": "dermatology/lupus-erythematosus",
    },
    {
        "jpg_0": b"\xff\xd8\xff\xe0",
        "jpg_1": b"\x00" * 5,
        "label_0": 1.0,
        "caption": "",
        "image_id_0": "e" * 64,
        "image_id_1": "f" * 64,
        "condition": "hematology/mast-cell",
    },
]


def write(path):
    table = pa.Table.from_pylist(ROWS, schema=SCHEMA)
    # Two row groups (2 + 1 rows) so readers are tested across row groups; PLAIN, v1 pages,
    # uncompressed: the subset Rounds writes. Statistics stay on (pyarrow's default) so readers
    # must skip fields they do not use.
    pq.write_table(
        table, path, compression="none", use_dictionary=False, data_page_version="1.0", row_group_size=2
    )


# A fourth row for the variants: long, repetitive bytes so Snappy emits back-references, and values
# repeated from ROWS[0] so dictionary pages have hits. Keep in sync with PickAPicVariants.rows.
BIG_ROW = {
    "jpg_0": bytes(range(256)) * 40,
    "jpg_1": png_1x1(0, 255, 0),
    "label_0": 0.0,
    "caption": "vitiligo",
    "image_id_0": "a" * 64,
    "image_id_1": "0" * 64,
    "condition": "dermatology/vitiligo",
}


def variants(out):
    """Files as researchers make them, for ParquetTests (the Swift reader must take the first three)."""
    import os

    import pandas as pd

    os.makedirs(out, exist_ok=True)
    rows = ROWS + [BIG_ROW]
    nullable = pa.schema([pa.field(f.name, f.type) for f in SCHEMA])  # pyarrow's default: nullable
    table = pa.Table.from_pylist(rows, schema=nullable)
    # pq.write_table's defaults (Snappy, dictionary pages, v1 data pages), two row groups.
    pq.write_table(table, f"{out}/pickapic_pyarrow_default.parquet", row_group_size=2)
    # pandas after filtering: the index is no longer a range, so to_parquet stores it as an int64
    # column (__index_level_0__) beside the data.
    frame = pd.DataFrame(rows)
    frame[frame["label_0"] >= 0].iloc[[0, 2, 3, 1]].to_parquet(f"{out}/pickapic_pandas.parquet")
    # v2 data pages, many small pages, and a dictionary small enough that pyarrow falls back to
    # PLAIN pages within a column chunk.
    pq.write_table(
        table, f"{out}/pickapic_v2_fallback.parquet", data_page_version="2.0", data_page_size=64,
        dictionary_pagesize_limit=80, write_batch_size=1,
    )
    # Refused with a message: a null, ZSTD, and an integer label.
    with_null = [dict(r) for r in rows]
    with_null[1]["caption"] = None
    pq.write_table(pa.Table.from_pylist(with_null, schema=nullable), f"{out}/pickapic_null.parquet")
    pq.write_table(table, f"{out}/pickapic_zstd.parquet", compression="zstd")
    int_labels = [dict(r, label_0=int(r["label_0"])) for r in rows]
    pd.DataFrame(int_labels).to_parquet(f"{out}/pickapic_int_label.parquet")


def read(path):
    meta = pq.ParquetFile(path).metadata
    table = pq.read_table(path)
    frame = table.to_pandas()
    rows = []
    for record in table.to_pylist():
        rows.append({k: (v.hex() if isinstance(v, bytes) else v) for k, v in record.items()})
    out = {
        "num_rows": meta.num_rows,
        "num_row_groups": meta.num_row_groups,
        "arrow_types": {f.name: str(f.type) for f in table.schema},
        "pandas_dtypes": {c: str(frame[c].dtype) for c in frame.columns},
        "pandas_value_types": {c: type(frame[c].iloc[0]).__name__ for c in frame.columns},
        "metadata": {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()},
        "rows": rows,
    }
    print(json.dumps(out, sort_keys=True, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "read", "variants"):
        sys.exit(__doc__)
    {"write": write, "read": read, "variants": variants}[sys.argv[1]](sys.argv[2])
