using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Comx.Core;
using Comx.Core.Http;
using Microsoft.AspNetCore.Connections;

namespace Comx.DevHost;

/// <summary>
/// Gives Kestrel's own refusals the error envelope. Kestrel rejects a request it cannot parse (a <c>%00</c> in the path,
/// a malformed request line or header, a target or header section over its limits) before any application code runs,
/// with an empty response. This connection filter watches what Kestrel writes and replaces exactly that shape (a 4xx
/// head with <c>Content-Length: 0</c> and <c>Connection: close</c>, alone in its flush) with the same status and our
/// JSON envelope. Everything else passes through byte for byte.
/// </summary>
internal static class KestrelRefusals
{
    public static ConnectionDelegate Filter(ConnectionDelegate next, IdGenerator ids) => connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new Pipe(transport.Input, new RewritingWriter(transport.Output, ids));
        return next(connection);
    };

    /// <summary>The replacement for a bare Kestrel refusal, or null when <paramref name="written"/> is anything else.</summary>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> written, IdGenerator ids)
    {
        const string prefix = "HTTP/1.1 4";
        if (written.Length < 16 || written.Length > 4096 || !written.StartsWith(Encoding.ASCII.GetBytes(prefix)))
        {
            return null;
        }

        var head = Encoding.ASCII.GetString(written);
        var end = head.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end != head.Length - 4 || !head.Contains("\r\nContent-Length: 0\r\n", StringComparison.Ordinal)
            || !head.Contains("\r\nConnection: close\r\n", StringComparison.Ordinal)
            || !int.TryParse(head.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return null;
        }

        var error = status switch
        {
            408 => new ApiError(ErrorCode.RequestTimeout, "The request did not arrive in time. Send it again.", Retryable: true),
            413 => new ApiError(ErrorCode.PayloadTooLarge, $"The request body is larger than {RequestPipeline.MaxBodyBytes} bytes."),
            414 => new ApiError(ErrorCode.UriTooLong, "The request target is too long."),
            431 => new ApiError(ErrorCode.HeadersTooLarge, "The request headers are too large."),
            _ => ApiError.Validation("request", "The request could not be parsed: its request line, target (for example %00 in the path) or headers are malformed."),
        };
        var requestId = ids.New("req");
        var body = RequestPipeline.Error(requestId, error).Body;
        var lines = head[..end].Split("\r\n").Where(l => !l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).ToList();
        var statusLine = error.Code.Status() == status ? lines[0] : $"HTTP/1.1 {error.Code.Status()} Bad Request";
        var rewritten = new StringBuilder(statusLine).Append("\r\n");
        foreach (var line in lines.Skip(1))
        {
            rewritten.Append(line).Append("\r\n");
        }

        rewritten.Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append("X-Content-Type-Options: nosniff\r\n")
            .Append(CultureInfo.InvariantCulture, $"X-Request-Id: {requestId}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(rewritten.ToString()), .. body];
    }

    private sealed class Pipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>Holds each flush's bytes so a bare refusal can be recognised whole before it is sent.</summary>
    private sealed class RewritingWriter(PipeWriter inner, IdGenerator ids) : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _pending = new();

        public override bool CanGetUnflushedBytes => true;

        public override long UnflushedBytes => _pending.WrittenCount;

        public override void Advance(int bytes) => _pending.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            Forward();
            inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            Forward();
            await inner.CompleteAsync(exception);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Forward();
            return inner.FlushAsync(cancellationToken);
        }

        private void Forward()
        {
            if (_pending.WrittenCount == 0)
            {
                return;
            }

            var written = _pending.WrittenSpan;
            if (Rewrite(written, ids) is { } replacement)
            {
                inner.Write(replacement);
            }
            else
            {
                inner.Write(written);
            }

            _pending.ResetWrittenCount();
        }
    }
}
