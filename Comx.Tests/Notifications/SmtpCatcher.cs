using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Comx.Tests.Notifications;

/// <summary>One message the catcher accepted: its envelope recipient and the raw message (headers and body).</summary>
public sealed record CaughtMail(string Recipient, string Raw)
{
    public string Subject => Raw.Split("\r\n").FirstOrDefault(l => l.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))?["Subject:".Length..].Trim() ?? "";
}

/// <summary>
/// A real SMTP server on loopback (RFC 5321's plain dialogue: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no TLS, no
/// AUTH), enough for MailKit. Recipients steer failures: <c>flaky{N}-…@…</c> is refused with 451 (try later) for its
/// first N deliveries, <c>reject-…@…</c> always with 550. Shared by every test app of the run (the deliveries queue is
/// shared, so whichever app takes a message must send to the same server); tests look only at their own recipients.
/// </summary>
public sealed class SmtpCatcher : IDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentQueue<CaughtMail> _mail = new();
    private readonly ConcurrentDictionary<string, int> _refusals = new(StringComparer.OrdinalIgnoreCase);

    private SmtpCatcher()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptAsync);
    }

    public static SmtpCatcher Shared { get; } = new();

    public int Port { get; }

    public void Dispose() => _listener.Dispose();

    public IReadOnlyList<CaughtMail> For(string recipient) => [.. _mail.Where(m => string.Equals(m.Recipient, recipient, StringComparison.OrdinalIgnoreCase))];

    /// <summary>How many times a recipient was refused.</summary>
    public int Refusals(string recipient) => _refusals.TryGetValue(recipient, out var n) ? n : 0;

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, new UTF8Encoding(false), leaveOpen: true);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 catcher.comx.test ESMTP");
        var recipients = new List<string>();
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-catcher.comx.test");
                        await writer.WriteLineAsync("250-8BITMIME");
                        await writer.WriteLineAsync("250 SMTPUTF8");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 catcher.comx.test");
                        break;
                    case "MAIL":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        var address = Address(line);
                        var refusal = Refuse(address);
                        if (refusal is not null)
                        {
                            _refusals.AddOrUpdate(address, 1, (_, n) => n + 1);
                            await writer.WriteLineAsync(refusal);
                        }
                        else
                        {
                            recipients.Add(address);
                            await writer.WriteLineAsync("250 2.1.5 OK");
                        }

                        break;
                    case "DATA":
                        if (recipients.Count == 0)
                        {
                            await writer.WriteLineAsync("554 5.5.1 No valid recipients");
                            break;
                        }

                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var raw = new StringBuilder();
                        while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                        {
                            raw.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        foreach (var recipient in recipients)
                        {
                            _mail.Enqueue(new CaughtMail(recipient, raw.ToString()));
                        }

                        await writer.WriteLineAsync("250 2.0.0 Queued");
                        break;
                    case "RSET":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
            }
        }
        catch (IOException)
        {
            // The client went away mid-dialogue.
        }
    }

    private string? Refuse(string address)
    {
        var local = address.Split('@')[0];
        if (local.StartsWith("reject-", StringComparison.OrdinalIgnoreCase))
        {
            return "550 5.1.1 No such mailbox";
        }

        if (local.StartsWith("flaky", StringComparison.OrdinalIgnoreCase) && local.IndexOf('-', StringComparison.Ordinal) is > 5 and var dash
            && int.TryParse(local[5..dash], out var times) && Refusals(address) < times)
        {
            return "451 4.3.0 Mailbox busy, try again later";
        }

        return null;
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line.Split(':', 2)[^1].Trim();
    }
}
