using System.Text;
using Comx.Core.Knowledge.Content;
using Comx.Core.Storage;

namespace Comx.Tests.Knowledge.Content;

public sealed class ChunkerTests
{
    private static readonly string[] Topics =
    [
        "The library opens at 8am on weekdays and closes at 6pm.",
        "Pupils may borrow up to four books at a time for two weeks.",
        "Overdue books are not fined, but a reminder goes home in the book bag.",
        "The reading scheme is organised by coloured bands that match phonics phases.",
        "Parents are welcome to volunteer as reading helpers after a DBS check.",
        "Each class visits the library once a week with their teacher.",
        "The school council chooses new books every term from a list of suggestions.",
        "Lost or damaged books should be reported to the class teacher.",
    ];

    /// <summary>Prose of <paramref name="paragraphs"/> paragraphs of four distinct sentences each.</summary>
    private static string Prose(int paragraphs, string seed = "")
    {
        var text = new StringBuilder();
        for (var p = 0; p < paragraphs; p++)
        {
            if (p > 0)
            {
                text.Append("\n\n");
            }

            for (var s = 0; s < 4; s++)
            {
                text.Append(s > 0 ? " " : "").Append(Topics[(p * 4 + s) % Topics.Length].TrimEnd('.')).Append(seed)
                    .Append(" (").Append(p).Append('.').Append(s).Append(").");
            }
        }

        return text.ToString();
    }

    private static ExtractedDocument Document(params Section[] sections) => new("Library", sections);

    private static string Body(ChunkDraft chunk) =>
        chunk.Heading is null ? chunk.Text : chunk.Text[(chunk.Heading.Length + 2)..];

    [Fact]
    public void ShortSection_IsOneChunk_StartingWithItsHeadingPath()
    {
        var section = new Section("Opening hours", "Open 8am to 6pm on weekdays.") { HeadingPath = ["Library", "Opening hours"] };
        var chunk = Assert.Single(Chunker.Chunk("src_1", Document(section)));

        Assert.Equal(0, chunk.Ordinal);
        Assert.Equal("Library › Opening hours", chunk.Heading);
        Assert.Equal("Library › Opening hours\n\nOpen 8am to 6pm on weekdays.", chunk.Text);
    }

    [Fact]
    public void TextWithoutHeading_HasNoHeadingLine()
    {
        var chunk = Assert.Single(Chunker.Chunk("src_1", Document(new Section(null, "Just text."))));
        Assert.Null(chunk.Heading);
        Assert.Equal("Just text.", chunk.Text);
    }

    [Fact]
    public void SectionHeadingWithoutAPath_IsUsedAlone()
    {
        var chunk = Assert.Single(Chunker.Chunk("src_1", Document(new Section("Fees", "None."))));
        Assert.Equal("Fees", chunk.Heading);
    }

    [Fact]
    public void LongSection_EveryChunkCarriesTheHeading_AndStaysWithinBounds()
    {
        var section = new Section("Borrowing", Prose(12)) { HeadingPath = ["Library", "Borrowing"] };
        var chunks = Chunker.Chunk("src_1", Document(section));

        Assert.True(chunks.Count >= 4, $"{chunks.Count} chunks");
        Assert.All(chunks, c =>
        {
            Assert.Equal("Library › Borrowing", c.Heading);
            Assert.StartsWith("Library › Borrowing\n\n", c.Text);
            Assert.InRange(c.Text.Length, 1, ChunkerOptions.Default.MaxChars);
        });
        // Greedy packing: every chunk but the last is well filled.
        Assert.All(chunks.SkipLast(1), c => Assert.True(c.Text.Length >= 800, $"only {c.Text.Length} characters"));
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Ordinal));
    }

    [Fact]
    public void LongSection_ChunksEndAtSentenceBoundaries_AndLoseNoText()
    {
        var prose = Prose(12);
        var chunks = Chunker.Chunk("src_1", Document(new Section(null, prose)));

        Assert.All(chunks, c => Assert.EndsWith(").", c.Text));
        // Every sentence of the section is in some chunk.
        foreach (var sentence in prose.Split(["\n\n", ". "], StringSplitOptions.None))
        {
            Assert.Contains(chunks, c => c.Text.Contains(sentence.TrimEnd('.'), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ConsecutiveChunks_Overlap_ByWholeTrailingSentences()
    {
        var chunks = Chunker.Chunk("src_1", Document(new Section("Borrowing", Prose(12))));

        for (var i = 1; i < chunks.Count; i++)
        {
            var previous = Body(chunks[i - 1]);
            var current = Body(chunks[i]);
            var overlap = Enumerable.Range(1, Math.Min(previous.Length, current.Length))
                .Where(n => current.StartsWith(previous[^n..], StringComparison.Ordinal))
                .DefaultIfEmpty(0)
                .Max();
            Assert.InRange(overlap, 30, ChunkerOptions.Default.OverlapChars);
            // The overlap is whole sentences: it starts where a sentence starts.
            Assert.Matches(@"(^|\. |\n)$", previous[..^overlap]);
        }
    }

    [Fact]
    public void OverlapNeverCrossesSections()
    {
        var chunks = Chunker.Chunk("src_1", Document(new Section("One", Prose(1)), new Section("Two", "Short text in two.")));
        Assert.Equal("Two\n\nShort text in two.", chunks[^1].Text);
    }

    [Fact]
    public void ParagraphsStayWhole_WhenTheyFit()
    {
        var chunks = Chunker.Chunk("src_1", Document(new Section(null, Prose(12))));
        var paragraphs = Prose(12).Split("\n\n");
        // Each paragraph (about 300 characters) appears unbroken in at least one chunk.
        Assert.All(paragraphs, p => Assert.Contains(chunks, c => c.Text.Contains(p, StringComparison.Ordinal)));
    }

    [Fact]
    public void ListLinesInALongParagraph_KeepTheirLineBreaks()
    {
        var items = string.Join('\n', Enumerable.Range(1, 80).Select(i => $"- Item number {i} on the equipment list"));
        var chunks = Chunker.Chunk("src_1", Document(new Section("Kit list", items)));

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c =>
        {
            Assert.InRange(c.Text.Length, 1, 1200);
            Assert.All(Body(c).Split('\n'), line => Assert.Matches(@"^- Item number \d+ on the equipment list$", line));
        });
    }

    [Fact]
    public void SentenceLongerThanAChunk_IsWrappedAtWords_AndARunWithoutSpacesIsCut()
    {
        var longSentence = string.Join(' ', Enumerable.Repeat("word", 700)) + ".";
        var url = "https://example.org/" + new string('a', 3000);
        var chunks = Chunker.Chunk("src_1", Document(new Section("Long", longSentence + "\n\n" + url)));

        Assert.All(chunks, c => Assert.InRange(c.Text.Length, 1, 1200));
        Assert.All(chunks.Where(c => Body(c).StartsWith("word", StringComparison.Ordinal)), c => Assert.DoesNotContain("wor ", c.Text + " "));
        var urlText = string.Concat(chunks.Where(c => Body(c).Contains("aaaa", StringComparison.Ordinal)).Select(c => Body(c).Replace(" ", "", StringComparison.Ordinal)));
        Assert.Contains("https://example.org/", urlText);
    }

    [Fact]
    public void VeryLongHeadingPath_KeepsTheInnermostHeadings()
    {
        var path = Enumerable.Range(1, 12).Select(i => $"Chapter heading number {i}").ToArray();
        var chunk = Assert.Single(Chunker.Chunk("src_1", Document(new Section(path[^1], "Text.") { HeadingPath = path })));
        Assert.True(chunk.Heading!.Length <= 200);
        Assert.EndsWith("Chapter heading number 12", chunk.Heading);
        Assert.DoesNotContain("number 1 ", chunk.Heading + " ");
    }

    [Fact]
    public void EmptyOrBlankSections_ProduceNoChunks()
    {
        var chunks = Chunker.Chunk("src_1", Document(new Section("Empty", ""), new Section("Blank", " \n\n  \n"), new Section("Real", "Text.")));
        var chunk = Assert.Single(chunks);
        Assert.Equal("Real", chunk.Heading);
        Assert.Equal(0, chunk.Ordinal);
    }

    [Fact]
    public void Ids_AreStableAcrossRuns_UniqueAndSafeAsTableKeys()
    {
        var document = Document(new Section("A", Prose(6)), new Section("B", Prose(6, " again")));
        var first = Chunker.Chunk("src_abc", document);
        var second = Chunker.Chunk("src_abc", document);

        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Select(c => c.ChunkId).Distinct().Count());
        Assert.All(first, c =>
        {
            Assert.Matches("^chk_[0-9a-f]{24}$", c.ChunkId);
            Assert.True(StorageKeys.IsSafeKey(c.ChunkId));
        });
        // Pinned: the id scheme is part of what is stored; changing it re-keys every chunk.
        Assert.Equal(Chunker.ChunkId("src_abc", 0, "A\n\nx"), Chunker.ChunkId("src_abc", 0, "A\n\nx"));
        Assert.Equal("chk_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("src_abc\n0\nA\n\nx"u8))[..24], Chunker.ChunkId("src_abc", 0, "A\n\nx"));
    }

    [Fact]
    public void Ids_ChangeWithTheContentOrTheSource_ButNotElsewhere()
    {
        var original = Document(new Section("A", "Unchanged text."), new Section("B", "Opening at 9am."));
        var edited = Document(new Section("A", "Unchanged text."), new Section("B", "Opening at 10am."));

        var before = Chunker.Chunk("src_1", original);
        var after = Chunker.Chunk("src_1", edited);
        Assert.Equal(before[0].ChunkId, after[0].ChunkId);
        Assert.NotEqual(before[1].ChunkId, after[1].ChunkId);

        var otherSource = Chunker.Chunk("src_2", original);
        Assert.NotEqual(before[0].ChunkId, otherSource[0].ChunkId);

        var renamedHeading = Chunker.Chunk("src_1", Document(new Section("A2", "Unchanged text.")));
        Assert.NotEqual(before[0].ChunkId, renamedHeading[0].ChunkId);
    }

    [Fact]
    public void ExtractedPage_ChunksEndToEnd()
    {
        var extracted = ContentExtractor.Extract(ContentExtractorTests.Fixture("school-admissions.html"), "text/html", null);
        Assert.True(extracted.Succeeded);
        var chunks = Chunker.Chunk("src_school", extracted.Document);

        Assert.Equal(extracted.Document.Sections.Count, chunks.Count);
        var autumn = chunks.Single(c => c.Heading == "Admissions › Term dates 2025–26 › Autumn term");
        Assert.StartsWith("Admissions › Term dates 2025–26 › Autumn term\n\nEvent | Date\nTerm starts", autumn.Text);
    }

    [Fact]
    public void CustomOptions_AreHonoured_AndNonsenseIsRefused()
    {
        var options = new ChunkerOptions { MaxChars = 500, OverlapChars = 80 };
        var chunks = Chunker.Chunk("src_1", Document(new Section("S", Prose(8))), options);
        Assert.All(chunks, c => Assert.InRange(c.Text.Length, 1, 500));

        Assert.Throws<ArgumentOutOfRangeException>(() => Chunker.Chunk("src_1", Document(), new ChunkerOptions { MaxChars = 100 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Chunker.Chunk("src_1", Document(), new ChunkerOptions { OverlapChars = 900 }));
        Assert.Throws<ArgumentException>(() => Chunker.Chunk("", Document()));
    }
}
