namespace Flux.ModelBuilder.Tests.Import.Text;

/// <summary>
/// The text-encoder config.json files of the Hugging Face FLUX.1 [schnell]/[dev] repos as published
/// (text_encoder: openai/clip-vit-large-patch14's text tower; text_encoder_2: google/t5-v1_1-xxl's encoder).
/// </summary>
internal static class FluxTextConfigs
{
    public const string ClipL = """
        {
          "_name_or_path": "openai/clip-vit-large-patch14",
          "architectures": ["CLIPTextModel"],
          "attention_dropout": 0.0,
          "bos_token_id": 0,
          "dropout": 0.0,
          "eos_token_id": 2,
          "hidden_act": "quick_gelu",
          "hidden_size": 768,
          "initializer_factor": 1.0,
          "initializer_range": 0.02,
          "intermediate_size": 3072,
          "layer_norm_eps": 1e-05,
          "max_position_embeddings": 77,
          "model_type": "clip_text_model",
          "num_attention_heads": 12,
          "num_hidden_layers": 12,
          "pad_token_id": 1,
          "projection_dim": 768,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.43.3",
          "vocab_size": 49408
        }
        """;

    public const string T5Xxl = """
        {
          "_name_or_path": "google/t5-v1_1-xxl",
          "architectures": ["T5EncoderModel"],
          "classifier_dropout": 0.0,
          "d_ff": 10240,
          "d_kv": 64,
          "d_model": 4096,
          "decoder_start_token_id": 0,
          "dense_act_fn": "gelu_new",
          "dropout_rate": 0.1,
          "eos_token_id": 1,
          "feed_forward_proj": "gated-gelu",
          "initializer_factor": 1.0,
          "is_encoder_decoder": true,
          "is_gated_act": true,
          "layer_norm_epsilon": 1e-06,
          "model_type": "t5",
          "num_decoder_layers": 24,
          "num_heads": 64,
          "num_layers": 24,
          "output_past": true,
          "pad_token_id": 0,
          "relative_attention_max_distance": 128,
          "relative_attention_num_buckets": 32,
          "tie_word_embeddings": false,
          "torch_dtype": "bfloat16",
          "transformers_version": "4.43.3",
          "use_cache": true,
          "vocab_size": 32128
        }
        """;

    /// <summary>Writes <paramref name="json"/> as config.json in <paramref name="dir"/> and returns its path.</summary>
    public static string Write(TempDirectory dir, string json)
    {
        var path = dir.Sub("config.json");
        File.WriteAllText(path, json);
        return path;
    }
}
