using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Comx.Core.Knowledge;
using Comx.Core.Knowledge.Retrieval;
using Comx.Tests.Infrastructure;
using Comx.Tests.Knowledge.Content;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.Extensions.DependencyInjection;

namespace Comx.Tests.Knowledge;

/// <summary>GET, PATCH and DELETE of one source, and file uploads: real HTTP, Azurite, the real ingest job.</summary>
public sealed class SourceManagementTests
{
    private const string Handbook = "# Uniform\n\nThe school blazer is bottle green with the crest on the pocket.\n\n# Lunch\n\nHot lunches cost two pounds forty a day.";

    private static async Task<IngestDriver> DriverAsync(TestApp app) => new(app, await TestOrg.CreateAsync(app));

    private static async Task<HttpResponseMessage> SendAsync(IngestDriver driver, HttpMethod method, string path, object? body = null, string? key = null)
    {
        var request = driver.Org.AsKey(method, path, body is null ? null : TestApp.Json(body));
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await driver.App.Client.SendAsync(request);
    }

    [Fact]
    public async Task GetSource_ShowsChunkCountLastJobAndHealth_ForMembersOnlyInItsOrg()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var sourceId = await driver.IngestAsync(new { type = "text", title = "Handbook", content = Handbook });

        using var asMember = await app.Client.SendAsync(driver.Org.AsMember(HttpMethod.Get, $"/api/org/v1/sources/{sourceId}"));
        var source = await asMember.JsonAsync(200);
        Assert.Equal(sourceId, source.GetProperty("source_id").GetString());
        Assert.Equal("text", source.GetProperty("type").GetString());
        Assert.True(source.GetProperty("chunk_count").GetInt32() > 0);
        Assert.StartsWith("job_", source.GetProperty("last_job_id").GetString(), StringComparison.Ordinal);
        Assert.Equal("healthy", source.GetProperty("health").GetProperty("status").GetString());

        var other = await DriverAsync(app);
        using var fromOtherOrg = await other.GetAsync($"/api/org/v1/sources/{sourceId}");
        await fromOtherOrg.ErrorAsync(404, "COMX_NOT_FOUND");
        using var patchOther = await SendAsync(other, HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}", new { title = "Mine now" });
        await patchOther.ErrorAsync(404, "COMX_NOT_FOUND");
        using var deleteOther = await SendAsync(other, HttpMethod.Delete, $"/api/org/v1/sources/{sourceId}");
        await deleteOther.ErrorAsync(404, "COMX_NOT_FOUND");
        using var stillThere = await driver.GetAsync($"/api/org/v1/sources/{sourceId}");
        await stillThere.JsonAsync(200);

        using var anonymous = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, $"/api/org/v1/sources/{sourceId}", ip: TestSettings.NewIp()));
        await anonymous.ErrorAsync(401, "COMX_UNAUTHENTICATED");
    }

    [Fact]
    public async Task PatchContent_QueuesReingest_AndTheOldTextStopsAnswering()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var sourceId = await driver.IngestAsync(new { type = "text", title = "Handbook", content = Handbook });

        using var response = await SendAsync(driver, HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}",
            new { content = "# Uniform\n\nThe school blazer is navy blue with a silver badge." }, key: "patch-1");
        var patched = await response.JsonAsync(200);
        var jobId = patched.GetProperty("job_id").GetString()!;
        Assert.StartsWith("job_", jobId, StringComparison.Ordinal);
        Assert.Equal("queued", (await driver.JobAsync(jobId)).GetProperty("status").GetString());

        // Until the job runs, the old content keeps answering.
        Assert.Contains("bottle green", (await driver.SearchAsync("blazer colour"))[0].Chunk.Text, StringComparison.Ordinal);
        await driver.RunJobAsync(jobId);
        var hits = await driver.SearchAsync("blazer colour");
        Assert.Contains("navy blue", hits[0].Chunk.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(hits, h => h.Chunk.Text.Contains("bottle green", StringComparison.Ordinal));

        using var replay = await SendAsync(driver, HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}",
            new { content = "# Uniform\n\nThe school blazer is navy blue with a silver badge." }, key: "patch-1");
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(jobId, (await replay.JsonAsync(200)).GetProperty("job_id").GetString());

        using var same = await SendAsync(driver, HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}",
            new { content = "# Uniform\n\nThe school blazer is navy blue with a silver badge." });
        Assert.Equal(JsonValueKindNull, (await same.JsonAsync(200)).GetProperty("job_id").ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task PatchTitle_ShowsInTheIndexAtOnce_WithoutAJob()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var sourceId = await driver.IngestAsync(new { type = "text", title = "Handbook", content = Handbook });

        using var response = await SendAsync(driver, HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}", new { title = "Parent handbook 2027" });
        var patched = await response.JsonAsync(200);
        Assert.Equal("Parent handbook 2027", patched.GetProperty("title").GetString());
        Assert.Equal(JsonValueKindNull, patched.GetProperty("job_id").ValueKind);
        Assert.Equal("Parent handbook 2027", (await driver.SearchAsync("hot lunches cost"))[0].Chunk.Title);
    }

    [Theory]
    [InlineData("{}", "body")]
    [InlineData("""{"url":"https://example.org/x"}""", "url")]
    [InlineData("""{"refresh_interval_hours":24}""", "refresh_interval_hours")]
    [InlineData("""{"title":""}""", "title")]
    [InlineData("""{"colour":"red"}""", "colour")]
    public async Task PatchInvalid_Is400_AndChangesNothing(string json, string field)
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var sourceId = await driver.IngestAsync(new { type = "text", title = "Handbook", content = Handbook });

        using var response = await driver.App.Client.SendAsync(driver.Org.AsKey(HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}", TestApp.RawJson(json)));
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal(field, error.GetProperty("details").GetProperty("field").GetString());
        using var get = await driver.GetAsync($"/api/org/v1/sources/{sourceId}");
        Assert.Equal("Handbook", (await get.JsonAsync(200)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task PatchUrlSource_ToARefusedAddress_Is400()
    {
        await using var app = await TestApp.StartAsync(settings: new Dictionary<string, string?> { ["Comx:Network:AllowPrivateTargets"] = "false" });
        var driver = await DriverAsync(app);
        var created = await driver.CreateSourceAsync(new { type = "url", title = "Site", url = "https://example.org/page" });
        var sourceId = created.GetProperty("source_id").GetString()!;

        using var response = await SendAsync(driver, HttpMethod.Patch, $"/api/org/v1/sources/{sourceId}", new { url = "http://169.254.169.254/latest/meta-data" });
        var error = await response.ErrorAsync(400, "COMX_VALIDATION_ERROR");
        Assert.Equal("url", error.GetProperty("details").GetProperty("field").GetString());
    }

    [Fact]
    public async Task Delete_RemovesChunksFromTheIndexBeforeResponding_OnEveryInstance()
    {
        await using var app = await TestApp.StartAsync();
        await using var otherInstance = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var doomed = await driver.IngestAsync(new { type = "text", title = "Old handbook", content = Handbook });
        var kept = await driver.IngestAsync(new { type = "text", title = "Trips", content = "# Trips\n\nThe year six residential trip goes to Wales in June." });

        // The other instance has the index with both sources loaded in memory.
        var before = await otherInstance.Services.GetRequiredService<RetrievalIndexStore>().GetAsync(driver.Org.OrgId);
        Assert.Contains(before.Search("blazer", 5), h => h.Chunk.SourceId == doomed);

        using var response = await SendAsync(driver, HttpMethod.Delete, $"/api/org/v1/sources/{doomed}", key: "del-1");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var after = await otherInstance.Services.GetRequiredService<RetrievalIndexStore>().GetAsync(driver.Org.OrgId);
        Assert.DoesNotContain(after.Search("blazer green pocket crest lunch", 10), h => h.Chunk.SourceId == doomed);
        Assert.Contains(after.Search("residential trip", 5), h => h.Chunk.SourceId == kept);
        var answer = await driver.AskAsync("What colour is the school blazer?");
        Assert.DoesNotContain(doomed, IngestDriver.CitedSources(answer));
        Assert.Equal(0, await app.Services.GetRequiredService<ChunkStore>().CountRowsAsync(driver.Org.OrgId, doomed));

        using var get = await driver.GetAsync($"/api/org/v1/sources/{doomed}");
        await get.ErrorAsync(404, "COMX_NOT_FOUND");
        using var list = await driver.GetAsync("/api/org/v1/sources");
        Assert.DoesNotContain((await list.JsonAsync(200)).GetProperty("data").EnumerateArray(), s => s.GetProperty("source_id").GetString() == doomed);
        using var replay = await SendAsync(driver, HttpMethod.Delete, $"/api/org/v1/sources/{doomed}", key: "del-1");
        Assert.Equal(HttpStatusCode.NoContent, replay.StatusCode);
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        using var again = await SendAsync(driver, HttpMethod.Delete, $"/api/org/v1/sources/{doomed}");
        await again.ErrorAsync(404, "COMX_NOT_FOUND");
    }

    [Fact]
    public async Task Delete_InterruptedAfterMarking_IsHiddenAndFinishedByARetry()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var sourceId = await driver.IngestAsync(new { type = "text", title = "Handbook", content = Handbook });
        var store = app.Services.GetRequiredService<SourceStore>();
        // What a crash right after the first step of a delete leaves behind.
        await store.UpdateAsync(driver.Org.OrgId, sourceId, s => s with { DeletedAt = DateTimeOffset.UtcNow });

        using var get = await driver.GetAsync($"/api/org/v1/sources/{sourceId}");
        await get.ErrorAsync(404, "COMX_NOT_FOUND");
        using var retry = await SendAsync(driver, HttpMethod.Delete, $"/api/org/v1/sources/{sourceId}");
        Assert.Equal(HttpStatusCode.NoContent, retry.StatusCode);
        Assert.Null(await store.GetAsync(driver.Org.OrgId, sourceId));
        Assert.Equal(0, await app.Services.GetRequiredService<ChunkStore>().CountRowsAsync(driver.Org.OrgId, sourceId));
        Assert.DoesNotContain(await driver.SearchAsync("blazer", 5), h => h.Chunk.SourceId == sourceId);
    }

    [Fact]
    public async Task JobOfADeletedSource_FailsAndLeavesNoChunks()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var created = await driver.CreateSourceAsync(new { type = "text", title = "Handbook", content = Handbook });
        var sourceId = created.GetProperty("source_id").GetString()!;
        using var delete = await SendAsync(driver, HttpMethod.Delete, $"/api/org/v1/sources/{sourceId}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        await driver.RunJobAsync(created.GetProperty("job_id").GetString()!);
        Assert.Equal("failed", (await driver.JobAsync(created.GetProperty("job_id").GetString()!)).GetProperty("status").GetString());
        Assert.Equal(0, await app.Services.GetRequiredService<ChunkStore>().CountRowsAsync(driver.Org.OrgId, sourceId));
    }

    public static TheoryData<string, string, string, string> Files() => new()
    {
        { "policy.pdf", "application/pdf", "Who is the designated safeguarding lead?", "Mrs Patel" },
        { "trips.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Where does the residential trip go?", "Snowdonia" },
        { "guide.md", "application/octet-stream", "Are assistance dogs welcome?", "Assistance dogs are" },
        { "notes.txt", "text/plain", "How long do you keep pupil records?", "until the pupil reaches 25 years of age" },
        { "page.html", "text/html", "When are the open mornings?", "open mornings every Tuesday in November" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task UploadFile_EachFormat_IsKeptInBlobStorageAndIngested(string fileName, string contentType, string question, string expected)
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var bytes = FileBytes(fileName);

        using var response = await UploadAsync(driver, bytes, fileName, contentType, title: null);
        var created = await response.JsonAsync(201);
        Assert.Equal("file", created.GetProperty("type").GetString());
        Assert.Equal(Path.GetFileNameWithoutExtension(fileName), created.GetProperty("title").GetString());
        var sourceId = created.GetProperty("source_id").GetString()!;
        Assert.Equal(bytes, await app.Services.GetRequiredService<SourceStore>().GetFileAsync(driver.Org.OrgId, sourceId));

        await driver.RunJobAsync(created.GetProperty("job_id").GetString()!);
        var job = await driver.JobAsync(created.GetProperty("job_id").GetString()!);
        Assert.True(job.GetProperty("status").GetString() == "succeeded", job.ToString());
        var hits = await driver.SearchAsync(question);
        Assert.Contains(expected, hits[0].Chunk.Text, StringComparison.Ordinal);
        Assert.Equal(sourceId, hits[0].Chunk.SourceId);

        using var get = await driver.GetAsync($"/api/org/v1/sources/{sourceId}");
        var detail = await get.JsonAsync(200);
        Assert.Equal(fileName, detail.GetProperty("file_name").GetString());
        Assert.Equal(bytes.Length, detail.GetProperty("file_bytes").GetInt64());

        using var delete = await SendAsync(driver, HttpMethod.Delete, $"/api/org/v1/sources/{sourceId}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Null(await app.Services.GetRequiredService<SourceStore>().GetFileAsync(driver.Org.OrgId, sourceId));
    }

    [Fact]
    public async Task UploadFile_WithTitleAndIdempotencyKey_CreatesOneSource()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var bytes = Encoding.UTF8.GetBytes("Term starts on the fourth of September.");
        using var first = await UploadAsync(driver, bytes, "term.txt", "text/plain", "Term dates", key: "up-1");
        var created = await first.JsonAsync(201);
        Assert.Equal("Term dates", created.GetProperty("title").GetString());
        using var second = await UploadAsync(driver, bytes, "term.txt", "text/plain", "Term dates", key: "up-1");
        Assert.Equal(created.GetProperty("source_id").GetString(), (await second.JsonAsync(201)).GetProperty("source_id").GetString());
        using var list = await driver.GetAsync("/api/org/v1/sources");
        Assert.Single((await list.JsonAsync(200)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task UploadFile_BadInput_IsAClear4xx_AndCreatesNothing()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);

        using var json = await app.Client.SendAsync(driver.Org.AsKey(HttpMethod.Post, "/api/org/v1/sources/files", TestApp.Json(new { file = "x" })));
        Assert.Equal("content_type", (await json.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());

        using var empty = await UploadAsync(driver, [], "empty.txt", "text/plain", null);
        Assert.Equal("file", (await empty.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());

        using var image = await UploadAsync(driver, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], "logo.png", "image/png", null);
        Assert.Equal("file", (await image.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());

        using var fakePdf = await UploadAsync(driver, Encoding.UTF8.GetBytes("not really a pdf"), "policy.pdf", "application/pdf", null);
        await fakePdf.ErrorAsync(400, "COMX_VALIDATION_ERROR");

        using var noFile = await app.Client.SendAsync(driver.Org.AsKey(HttpMethod.Post, "/api/org/v1/sources/files",
            new MultipartFormDataContent { { new StringContent("Only a title"), "title" } }));
        Assert.Equal("file", (await noFile.ErrorAsync(400, "COMX_VALIDATION_ERROR")).GetProperty("details").GetProperty("field").GetString());

        var oversize = new byte[(10 * 1024 * 1024) + 1];
        oversize.AsSpan().Fill((byte)'a');
        using var tooLarge = await UploadAsync(driver, oversize, "big.txt", "text/plain", null);
        await tooLarge.ErrorAsync(413, "COMX_PAYLOAD_TOO_LARGE");

        using var list = await driver.GetAsync("/api/org/v1/sources");
        Assert.Empty((await list.JsonAsync(200)).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task UploadFile_JustUnderTenMegabytes_IsAccepted_WhileOtherRoutesKeepTheOneMegabyteLimit()
    {
        await using var app = await TestApp.StartAsync();
        var driver = await DriverAsync(app);
        var large = new byte[(9 * 1024 * 1024) + 512 * 1024];
        large.AsSpan().Fill((byte)'b');
        using var upload = await UploadAsync(driver, large, "big.txt", "text/plain", null);
        await upload.JsonAsync(201);

        var text = new string('c', 1100 * 1024);
        using var json = await driver.PostAsync("/api/org/v1/sources", new { type = "text", title = "Too big", content = text });
        await json.ErrorAsync(413, "COMX_PAYLOAD_TOO_LARGE");
    }

    private static async Task<HttpResponseMessage> UploadAsync(IngestDriver driver, byte[] bytes, string fileName, string contentType, string? title, string? key = null)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var form = new MultipartFormDataContent("comx-test-boundary") { { file, "file", fileName } };
        if (title is not null)
        {
            form.Add(new StringContent(title), "title");
        }

        var request = driver.Org.AsKey(HttpMethod.Post, "/api/org/v1/sources/files", form);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await driver.App.Client.SendAsync(request);
    }

    private static byte[] FileBytes(string fileName) => fileName switch
    {
        "policy.pdf" => TestPdf.Policy(),
        "trips.docx" => Docx(),
        "guide.md" => ContentExtractorTests.Fixture("visitor-guide.md"),
        "notes.txt" => ContentExtractorTests.Fixture("privacy-notice.txt"),
        "page.html" => ContentExtractorTests.Fixture("school-admissions.html"),
        _ => throw new ArgumentOutOfRangeException(nameof(fileName)),
    };

    /// <summary>A real Word document written with the Open XML SDK: a heading, a paragraph, a list and a table.</summary>
    internal static byte[] Docx()
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            static Paragraph Para(string text, string? style = null) => new(
                style is null ? new ParagraphProperties() : new ParagraphProperties(new ParagraphStyleId { Val = style }), new Run(new Text(text)));
            main.Document = new Document(new Body(
                Para("Residential trips", "Heading1"),
                Para("The year six residential trip goes to Snowdonia in June and costs three hundred pounds."),
                Para("What to pack", "Heading2"),
                new Paragraph(new ParagraphProperties(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 })), new Run(new Text("Walking boots"))),
                new Table(
                    new TableRow(new TableCell(Para("Day")), new TableCell(Para("Activity"))),
                    new TableRow(new TableCell(Para("Monday")), new TableCell(Para("Gorge walking"))))));
        }

        return stream.ToArray();
    }
}
