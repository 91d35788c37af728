namespace Comx.Core.Http;

/// <summary>Either a value or the error that prevented it; keeps expected failures out of exceptions.</summary>
public readonly struct ApiResultOr<T>
{
    private ApiResultOr(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    public static implicit operator ApiResultOr<T>(T value) => new(value, null);

    public static implicit operator ApiResultOr<T>(ApiError error) => new(default, error);
}
