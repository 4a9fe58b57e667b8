namespace Flux.Functions.Tests.Hostile;

/// <summary>Where a bad input enters the service.</summary>
public enum Entry
{
    /// <summary>POST /api/generations with <see cref="BadInput.Payload"/> as the body.</summary>
    PostBody,

    /// <summary>GET /api/generations/{Payload}.</summary>
    GetRoute,

    /// <summary>DELETE /api/generations/{Payload}.</summary>
    DeleteRoute,

    /// <summary>GET /api/generations/{Payload}/images/{ImageIndex}.</summary>
    ImageRoute,

    /// <summary>A flux-jobs queue message.</summary>
    Queue,

    /// <summary>A flux-prompts blob named <see cref="BadInput.BlobName"/> holding <see cref="BadInput.Payload"/>.</summary>
    PromptsBlob,
}

/// <summary>One row of the hostile-input table: what is sent, and the field the refusal must name.</summary>
public sealed record BadInput(string Name, Entry Entry, string Payload, string Field)
{
    public string ContentType { get; init; } = "application/json";

    public int Status { get; init; } = 400;

    public string BlobName { get; init; } = "prompts.txt";

    public int ImageIndex { get; init; }

    public override string ToString() => Name;
}

/// <summary>The table: at least 40 requests, messages and files that must be refused without starting work.</summary>
public static class BadInputs
{
    /// <summary>Flux:MaxImagesPerJob of the service the table runs against.</summary>
    public const int MaxImages = 10;

    /// <summary>Flux:MaxRequestBytes of that service: above the 100 KB rows, below <see cref="OverLimit"/>.</summary>
    public const int MaxBytes = 256 * 1024;

    public static readonly string OverLimit = new('o', 300 * 1024);

    public static readonly string HundredKb = new('a', 100 * 1024);

    private static string Item(string fields) => $$"""{"items": [{"prompt": "a red circle", {{fields}}}]}""";

    private static string ManyItems(int count) => $$"""{"items": [{{string.Join(", ", Enumerable.Repeat("""{"prompt": "a"}""", count))}}]}""";

    public static IReadOnlyList<BadInput> All { get; } =
    [
        // ---- HTTP bodies: JSON that is not a job ----
        new("malformed JSON (unclosed)", Entry.PostBody, """{"items": [{"prompt": "a"}""", "items[1]"), // where the parser stopped
        new("not JSON at all", Entry.PostBody, "this is not json", "$"),
        new("empty body", Entry.PostBody, "", "$"),
        new("JSON null", Entry.PostBody, "null", "$"),
        new("array instead of object", Entry.PostBody, "[]", "$"),
        new("items is a string", Entry.PostBody, """{"items": "a red circle"}""", "items"),
        new("prompt is a number", Entry.PostBody, """{"items": [{"prompt": 42}]}""", "items[0].prompt"),
        new("width is a string", Entry.PostBody, Item("\"width\": \"wide\""), "items[0].width"),
        new("width is fractional", Entry.PostBody, Item("\"width\": 512.5"), "items[0].width"),
        new("seed is a string", Entry.PostBody, Item("\"seed\": \"abc\""), "items[0].seed"),

        // ---- sizes, steps, guidance ----
        new("negative width", Entry.PostBody, Item("\"width\": -512"), "items[0].width"),
        new("zero width", Entry.PostBody, Item("\"width\": 0"), "items[0].width"),
        new("width not a multiple of 16", Entry.PostBody, Item("\"width\": 1000"), "items[0].width"),
        new("height beyond int", Entry.PostBody, Item("\"height\": 99999999999"), "items[0].height"),
        new("huge height", Entry.PostBody, Item("\"height\": 1048576"), "items[0].height"),
        new("default width not a multiple of 16", Entry.PostBody, """{"items": [{"prompt": "a"}], "defaults": {"width": 17}}""", "defaults.width"),
        new("steps 0", Entry.PostBody, Item("\"steps\": 0"), "items[0].steps"),
        new("steps 10,000", Entry.PostBody, Item("\"steps\": 10000"), "items[0].steps"),
        new("negative steps", Entry.PostBody, Item("\"steps\": -1"), "items[0].steps"),
        new("guidance NaN literal", Entry.PostBody, Item("\"guidance\": NaN"), "items[0].guidance"),
        new("guidance \"NaN\" string", Entry.PostBody, Item("\"guidance\": \"NaN\""), "items[0].guidance"),
        new("guidance \"Infinity\" string", Entry.PostBody, Item("\"guidance\": \"Infinity\""), "items[0].guidance"),
        new("guidance overflowing float", Entry.PostBody, Item("\"guidance\": 1e39"), "items[0].guidance"),
        new("negative guidance", Entry.PostBody, Item("\"guidance\": -1"), "items[0].guidance"),
        new("negative seed", Entry.PostBody, Item("\"seed\": -5"), "items[0].seed"),

        // ---- prompts ----
        new("100 KB prompt", Entry.PostBody, $$"""{"items": [{"prompt": "{{HundredKb}}"}]}""", "items[0].prompt"),
        new("NUL in prompt", Entry.PostBody, """{"items": [{"prompt": "a red\u0000circle"}]}""", "items[0].prompt"),
        new("terminal escape in prompt", Entry.PostBody, """{"items": [{"prompt": "\u001b[31mred\u001b[0m"}]}""", "items[0].prompt"),
        new("carriage return (forged log line) in prompt", Entry.PostBody, """{"items": [{"prompt": "a\rERROR fake"}]}""", "items[0].prompt"),
        new("lone surrogate in prompt", Entry.PostBody, """{"items": [{"prompt": "a \ud800 b"}]}""", "items[0].prompt"),
        new("whitespace-only prompt", Entry.PostBody, """{"items": [{"prompt": " \t "}]}""", "items[0].prompt"),

        // ---- names: sampler, model ----
        new("unknown sampler", Entry.PostBody, Item("\"sampler\": \"ddim\""), "items[0].sampler"),
        new("100 KB sampler", Entry.PostBody, Item($"\"sampler\": \"{HundredKb}\""), "items[0].sampler"),
        new("unknown model", Entry.PostBody, """{"model": "flux-pro-ultra", "items": [{"prompt": "a"}]}""", "model"),
        new("model with traversal", Entry.PostBody, """{"model": "../../models/x", "items": [{"prompt": "a"}]}""", "model"),

        // ---- job ids: path traversal and reserved names ----
        new("jobId ../x", Entry.PostBody, """{"jobId": "../x", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId %2e%2e", Entry.PostBody, """{"jobId": "%2e%2e", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId absolute path", Entry.PostBody, """{"jobId": "/etc/passwd", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId backslashes", Entry.PostBody, """{"jobId": "..\\..\\windows", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId drive path", Entry.PostBody, """{"jobId": "C:\\temp\\x", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId with a folder", Entry.PostBody, """{"jobId": "a/b", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId empty", Entry.PostBody, """{"jobId": "", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId of 81 characters", Entry.PostBody, $$"""{"jobId": "{{new string('j', 81)}}", "items": [{"prompt": "a"}]}""", "jobId"),
        new("jobId naming another job's image", Entry.PostBody, """{"jobId": "victim-0", "items": [{"prompt": "a"}]}""", "jobId"),

        // ---- counts, unknown and duplicate fields ----
        new("no items", Entry.PostBody, """{"items": []}""", "items"),
        new("too many images", Entry.PostBody, ManyItems(MaxImages + 1), "items"),
        new("unknown top-level field", Entry.PostBody, """{"items": [{"prompt": "a"}], "priority": "high"}""", "priority"),
        new("unknown item field (typo)", Entry.PostBody, Item("\"step\": 4"), "items[0].step"),
        new("duplicate item field", Entry.PostBody, Item("\"steps\": 4, \"steps\": 9000"), "items[0].steps"),
        new("duplicate items", Entry.PostBody, """{"items": [{"prompt": "a"}], "items": [{"prompt": "b"}]}""", "items"),
        new("oversized notify tag", Entry.PostBody, $$$"""{"items": [{"prompt": "a"}], "notify": {"tag": "{{{new string('t', 1000)}}}"}}""", "notify.tag"),

        new("body over Flux:MaxRequestBytes", Entry.PostBody, $$"""{"items": [{"prompt": "{{OverLimit}}"}]}""", "$") { Status = 413 },

        // ---- content types ----
        new("text/plain body", Entry.PostBody, Item("\"steps\": 4"), "Content-Type") { ContentType = "text/plain", Status = 415 },
        new("form body", Entry.PostBody, "items=a+red+circle", "Content-Type") { ContentType = "application/x-www-form-urlencoded", Status = 415 },

        // ---- ids in routes ----
        new("GET ../x", Entry.GetRoute, "../x", "id"),
        new("GET %2e%2e", Entry.GetRoute, "%2e%2e", "id"),
        new("GET ..%2f..%2fflux-images", Entry.GetRoute, "..%2f..%2fflux-images", "id"),
        new("GET absolute path", Entry.GetRoute, "/etc/passwd", "id"),
        new("GET backslash", Entry.GetRoute, "a\\b", "id"),
        new("GET newline in id", Entry.GetRoute, "abc\ndef", "id"),
        new("DELETE ../../x", Entry.DeleteRoute, "../../x", "id"),
        new("image of ..", Entry.ImageRoute, "..", "id"),
        new("image index -1", Entry.ImageRoute, "some-job", "n") { ImageIndex = -1 },

        // ---- queue messages ----
        new("queue: not JSON", Entry.Queue, "<job>a red circle</job>", "$"),
        new("queue: width 1000", Entry.Queue, Item("\"width\": 1000"), "items[0].width"),
        new("queue: steps 10,000", Entry.Queue, Item("\"steps\": 10000"), "items[0].steps"),
        new("queue: guidance \"NaN\"", Entry.Queue, Item("\"guidance\": \"NaN\""), "items[0].guidance"),
        new("queue: jobId ../escape", Entry.Queue, """{"jobId": "../escape", "items": [{"prompt": "a"}]}""", "jobId"),
        new("queue: BEL in prompt", Entry.Queue, """{"items": [{"prompt": "ring\u0007"}]}""", "items[0].prompt"),
        new("queue: unknown model", Entry.Queue, """{"model": "sdxl", "items": [{"prompt": "a"}]}""", "model"),
        new("queue: extra field", Entry.Queue, """{"items": [{"prompt": "a"}], "callback": "http://169.254.169.254/"}""", "callback"),
        new("queue: duplicate width", Entry.Queue, Item("\"width\": 64, \"width\": 1000"), "items[0].width"),
        new("queue: too many images", Entry.Queue, ManyItems(MaxImages + 1), "items"),

        // ---- prompt blobs ----
        new("blob: ../ name", Entry.PromptsBlob, "a red circle", "name") { BlobName = "../escape.txt" },
        new("blob: backslash name", Entry.PromptsBlob, "a red circle", "name") { BlobName = "..\\escape.txt" },
        new("blob: absolute name", Entry.PromptsBlob, "a red circle", "name") { BlobName = "/abs/prompts.txt" },
        new("blob: %2e%2e name", Entry.PromptsBlob, "a red circle", "name") { BlobName = "%2e%2e/x.txt" },
        new("blob: unknown extension", Entry.PromptsBlob, "a red circle", "name") { BlobName = "batch.csv" },
        new("blob: NUL in a line", Entry.PromptsBlob, "a red circle\na blue\0square\n", "items[1].prompt"),
        new("blob: 100 KB line", Entry.PromptsBlob, "a red circle\n" + HundredKb, "items[1].prompt"),
        new("blob: over Flux:MaxRequestBytes", Entry.PromptsBlob, OverLimit, "size"),
        new("blob: no prompts", Entry.PromptsBlob, "# only a comment\n\n", "items"),
        new("blob: jsonl wrong type", Entry.PromptsBlob, "{\"prompt\": \"a\"}\n{\"prompt\": \"b\", \"width\": \"wide\"}", "line 2, width") { BlobName = "batch.jsonl" },
        new("blob: jsonl unknown sampler", Entry.PromptsBlob, "{\"prompt\": \"a\", \"sampler\": \"ddim\"}", "items[0].sampler") { BlobName = "batch.jsonl" },
        new("blob: jsonl extra field", Entry.PromptsBlob, "{\"prompt\": \"a\", \"model\": \"x\"}", "line 1, model") { BlobName = "batch.jsonl" },
    ];

    /// <summary>The rows by name, so each shows as its own test case.</summary>
    public static TheoryData<string> Names()
    {
        var rows = new TheoryData<string>();
        foreach (var row in All)
        {
            rows.Add(row.Name);
        }

        return rows;
    }

    public static BadInput Named(string name) => All.Single(r => r.Name == name);
}
