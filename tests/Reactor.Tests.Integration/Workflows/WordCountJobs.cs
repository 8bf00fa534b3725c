namespace Reactor.Tests.Integration.Workflows;

/// <summary>The seeds' word-count example as Reactor jobs: split a book, count each section, sum, and store the title.</summary>
internal static class WordCountJobs
{
    public const string Yaml = """
        workflows:
          - name: book-word-counts
            steps:
              - name: book-split
              - name: section-counts
                task: word-counts
                depends: [ book-split ]
              - name: sum-splits
                depends: [ section-counts ]
              - name: store-title
            tasks:
              - name: word-counts
                itemListKey: sections
                steps:
                  - name: segment-word-counts
        """;

    public static void Define(IJobRegistry jobs)
    {
        jobs.Job("book-split", a =>
        {
            var text = Payload(a)["text"]!.ToString()!;
            a["sections"] = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
                .Select((s, i) => (object?)new Dictionary<string, object?> { ["index"] = i, ["text"] = s })
                .ToList();
        });
        jobs.Job("segment-word-counts", a =>
        {
            var item = (IDictionary<string, object?>)a["item"]!;
            a["words"] = item["text"]!.ToString()!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        });
        jobs.Job("sum-splits", a =>
        {
            var counts = (IList<object?>)Payload(a)["section-counts"]!;
            a["total"] = counts.Sum(c => Convert.ToInt64(((IDictionary<string, object?>)c!)["words"], System.Globalization.CultureInfo.InvariantCulture));
        });
        jobs.Job("store-title", a => a["stored_title"] = Payload(a)["title"]!.ToString()!.ToUpperInvariant());
    }

    public static IDictionary<string, object?> Payload(JobArgs a) => (IDictionary<string, object?>)a["payload"]!;
}
