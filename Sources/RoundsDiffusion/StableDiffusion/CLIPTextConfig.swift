import RoundsCore

/// The settings of a transformers `CLIPTextModel` (`text_encoder/config.json`), as transformers 4 and 5
/// write them (`torch_dtype` or `dtype`, with or without generation defaults).
public struct CLIPTextConfig: Sendable, Equatable {
    public var vocabSize = 49408, hiddenSize = 768, intermediateSize = 3072
    public var layers = 12, heads = 12, maxPositions = 77
    /// `quick_gelu` (SD 1.x, OpenAI CLIP) or `gelu` (SD 2.x, OpenCLIP).
    public var activation = "quick_gelu"
    public var layerNormEps: Float = 1e-5

    public init() {}

    /// Keys of transformers' `PretrainedConfig` and CLIP's that do not change inference (token ids, dtypes,
    /// initialisation, dropout, generation defaults older transformers 4 wrote into every config).
    static let ignored: Set<String> = [
        "architectures", "transformers_version", "dtype", "torch_dtype", "bos_token_id", "eos_token_id", "pad_token_id",
        "projection_dim", "initializer_range", "initializer_factor", "attention_dropout", "dropout", "model_type",
        "id2label", "label2id", "return_dict", "output_hidden_states", "output_attentions", "torchscript",
        "use_bfloat16", "tf_legacy_loss", "pruned_heads", "tie_word_embeddings", "chunk_size_feed_forward",
        "is_encoder_decoder", "is_decoder", "add_cross_attention", "cross_attention_hidden_size", "problem_type",
        "finetuning_task", "tokenizer_class", "prefix", "sep_token_id", "decoder_start_token_id", "task_specific_params",
        "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
        "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
        "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "gradient_checkpointing",
        "output_past",
    ]

    /// Reads `text_encoder/config.json`.
    public init(path: String) throws(DiffusionError) {
        var c = try ComponentConfig(path: path)
        if let type = try c.reader.string("model_type"), !["clip_text_model", "clip"].contains(type) {
            throw DiffusionError(.unsupported, "\(path): model_type: Rounds reads a CLIP text model, got '\(type)'")
        }
        if let archs = try? c.reader.strings("architectures"), let arch = archs.first,
           !["CLIPTextModel", "CLIPTextModelWithProjection"].contains(arch) {
            throw DiffusionError(.unsupported, "\(path): architectures: Rounds reads CLIPTextModel, got '\(arch)'")
        }
        vocabSize = try c.int("vocab_size", default: 49408)
        hiddenSize = try c.int("hidden_size", default: 512)
        intermediateSize = try c.int("intermediate_size", default: 2048)
        layers = try c.int("num_hidden_layers", default: 12, in: 1...1024)
        heads = try c.int("num_attention_heads", default: 8)
        maxPositions = try c.int("max_position_embeddings", default: 77)
        activation = try c.choice("hidden_act", ["quick_gelu", "gelu"], default: "quick_gelu")
        layerNormEps = try c.float("layer_norm_eps", default: 1e-5)
        guard hiddenSize % heads == 0 else {
            throw DiffusionError(.invalidConfig, "\(path): hidden_size \(hiddenSize) does not split into num_attention_heads \(heads)")
        }
        try c.checkRemaining(defaults: ["hidden_dropout": 0.0, "use_attention_mask": false], ignored: Self.ignored)
    }
}
