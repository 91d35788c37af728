namespace Comx.Core.Chat;

/// <summary>
/// The embeddings of the questions this instance embedded most recently, by exact text. A class asked to try the
/// assistant often sends the same question many times within minutes; each repeat then skips the model (the most CPU
/// a chat message costs). Bounded (<see cref="Capacity"/>, least recently used out first) and per process.
/// </summary>
public sealed class QuestionVectors
{
    /// <summary>How many questions are kept; at 384 floats each, about 0.8 MB.</summary>
    public const int Capacity = 512;

    private readonly Dictionary<string, LinkedListNode<(string Question, ReadOnlyMemory<float> Vector)>> _byQuestion = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Question, ReadOnlyMemory<float> Vector)> _recent = new();
    private readonly Lock _lock = new();

    /// <summary>The question's vector when this instance embedded it recently; null otherwise.</summary>
    public ReadOnlyMemory<float>? Get(string question)
    {
        lock (_lock)
        {
            if (!_byQuestion.TryGetValue(question, out var node))
            {
                return null;
            }

            _recent.Remove(node);
            _recent.AddFirst(node);
            return node.Value.Vector;
        }
    }

    public void Add(string question, ReadOnlyMemory<float> vector)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (vector.IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            if (_byQuestion.TryGetValue(question, out var existing))
            {
                _recent.Remove(existing);
            }

            _byQuestion[question] = _recent.AddFirst((question, vector));
            if (_recent.Count > Capacity)
            {
                _byQuestion.Remove(_recent.Last!.Value.Question);
                _recent.RemoveLast();
            }
        }
    }
}
