"""Checks that the official SDKs accept every request body Rounds sends (tooling, not product).

Runs `rounds judge` against a local recorder for four endpoints (OpenAI, an OpenAI reasoning model,
Anthropic, Anthropic with extended thinking), then replays each recorded body through the official
`openai` / `anthropic` Python SDK: the body's fields go in as the SDK's own keyword arguments, only the
endpoint's `extra_body` as `extra_body`, over a mock transport. A field the SDK has no parameter for
fails the check (the current anthropic SDK has no `temperature`, for example); so does a body the SDK
would send differently, or an `anthropic-version` other than the SDK's.

Usage: python Tools/check_sdk_bodies.py [--rounds .build/release/rounds]
Skips (exit 0) when the `openai` or `anthropic` package is missing.
"""
import argparse
import http.server
import importlib.util
import inspect
import json
import os
import subprocess
import sys
import tempfile
import threading

try:
    import anthropic
    import httpx
    import openai
except ImportError as e:  # tooling: say what is missing and skip
    print(f"check_sdk_bodies: skipped: {e.name} is not installed (pip install openai anthropic)")
    sys.exit(0)

RECORDED = []

ANSWER = json.dumps({"criteria": []})


class Recorder(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        RECORDED.append((self.path, dict(self.headers), body))
        if self.path.endswith("/messages"):
            answer = {"id": "msg_1", "type": "message", "role": "assistant", "model": body["model"],
                      "content": [{"type": "text", "text": ANSWER}], "stop_reason": "end_turn", "stop_sequence": None,
                      "usage": {"input_tokens": 10, "output_tokens": 5}}
        else:
            answer = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": ANSWER, "refusal": None},
                                   "finish_reason": "stop", "logprobs": None}],
                      "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


ENDPOINTS = """endpoints:
  - {{name: openai, provider: openai, base_url: "{url}", model: gpt-4o, api_key_env: FAKE_KEY}}
  - {{name: reasoning, provider: openai, base_url: "{url}", model: gpt-5-mini, api_key_env: FAKE_KEY}}
  - {{name: vllm, provider: openai, base_url: "{url}", model: qwen-vl, api_key_env: FAKE_KEY,
      extra_body: {{guided_decoding_backend: xgrammar, top_k: 20}}}}
  - {{name: claude, provider: anthropic, base_url: "{url}", model: claude-sonnet-4-5, api_key_env: FAKE_KEY}}
  - {{name: claude-thinking, provider: anthropic, base_url: "{url}", model: claude-opus-4-5, api_key_env: FAKE_KEY,
      max_tokens: 4096, extra_body: {{thinking: {{type: enabled, budget_tokens: 2048}}}}}}
"""
EXTRA = {"vllm": {"guided_decoding_backend", "top_k"}}


def replay(path, headers, body, extra_keys):
    """Sends `body` through the matching SDK; returns problems (empty when the SDK sends the same body)."""
    sent = {}

    def capture(request):
        sent["body"] = json.loads(request.content)
        sent["headers"] = dict(request.headers)
        if path.endswith("/messages"):
            import importlib
            mod = importlib.import_module("httpx2") if importlib.util.find_spec("httpx2") else httpx
            return mod.Response(200, json={"id": "m", "type": "message", "role": "assistant", "model": body["model"],
                                             "content": [], "stop_reason": "end_turn", "stop_sequence": None,
                                             "usage": {"input_tokens": 1, "output_tokens": 1}})
        return httpx.Response(200, json={"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
                                         "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    if path.endswith("/messages"):
        # anthropic 2.x ships its own httpx fork (httpx2); give each SDK a client of the package it uses.
        try:
            import httpx2 as anthropic_httpx
        except ImportError:
            anthropic_httpx = httpx
        http_client = anthropic_httpx.Client(transport=anthropic_httpx.MockTransport(capture))
        client = anthropic.Anthropic(api_key="k", base_url="http://sdk", http_client=http_client)
        create = client.messages.create
    else:
        client = openai.OpenAI(api_key="k", base_url="http://sdk/v1",
                               http_client=httpx.Client(transport=httpx.MockTransport(capture)))
        create = client.chat.completions.create
    accepted = set(inspect.signature(create).parameters) - {"extra_headers", "extra_query", "extra_body", "timeout"}
    unknown = set(body) - accepted - extra_keys
    if unknown:
        return [f"the SDK has no parameter {sorted(unknown)} (and the endpoint's extra_body does not name it)"]
    kwargs = {k: v for k, v in body.items() if k not in extra_keys}
    extra = {k: v for k, v in body.items() if k in extra_keys}
    try:
        create(**kwargs, extra_body=extra or None)
    except TypeError as e:
        return [f"the SDK refused the arguments: {e}"]
    problems = []
    if sent["body"] != body:
        problems.append("the SDK would send a different body")
    if path.endswith("/messages"):
        ours = {k.lower(): v for k, v in headers.items()}.get("anthropic-version")
        theirs = sent["headers"].get("anthropic-version")
        if ours != theirs:
            problems.append(f"anthropic-version {ours} differs from the SDK's {theirs}")
    return problems


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--rounds", default=os.path.join(here, "..", ".build", "release", "rounds"))
    args = parser.parse_args()
    rounds = os.path.abspath(args.rounds)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    work = tempfile.mkdtemp()
    env = dict(os.environ, FAKE_KEY="sk-fake-0000")

    def run(*argv):
        subprocess.run([rounds, *argv], cwd=work, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    run("dataset", "synth", "--out", "D", "--per-condition", "1", "--defect-rate", "0")
    run("images", "add", "--manifest", "D/manifest.csv", "--origin", "synthetic", "--db", "s.sqlite")
    with open(os.path.join(work, "endpoints.yaml"), "w") as f:
        f.write(ENDPOINTS.format(url=url))
    failures = 0
    for name in ["openai", "reasoning", "vllm", "claude", "claude-thinking"]:
        RECORDED.clear()
        # The answers are unreadable on purpose ({"criteria": []}), so the repair request is checked too.
        subprocess.run([rounds, "judge", "--pending", "--endpoint", name, "--limit", "1", "--db", "s.sqlite"],
                       cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not RECORDED:
            print(f"{name}: FAIL: rounds sent no request")
            failures += 1
            continue
        for path, headers, body in RECORDED:
            problems = replay(path, headers, body, EXTRA.get(name, set()) | ({"thinking"} if name == "claude-thinking" else set()))
            kind = "repair" if len(body.get("messages", [])) > 2 else "first"
            fields = ", ".join(sorted(k for k in body if k not in ("messages", "tools", "response_format")))
            if problems:
                failures += 1
                print(f"{name} ({kind} request): FAIL: " + "; ".join(problems) + f" [fields: {fields}]")
            else:
                print(f"{name} ({kind} request): accepted by {'anthropic' if path.endswith('/messages') else 'openai'} "
                      f"{anthropic.__version__ if path.endswith('/messages') else openai.__version__} [fields: {fields}]")
    server.shutdown()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
