// Handlers of the book-word-counts workflow. Each is an ordinary Reactor job: the engine passes
// args["payload"] (the workflow input merged with earlier steps' outputs) and, for fanned-out
// tasks, args["item"]; what a job adds to args is the step's output.
IDictionary<string, object> Payload(JobArgs a) => (IDictionary<string, object>)a["payload"];

Job("book-split", a =>
{
    var text = Payload(a)["text"].ToString();
    a["sections"] = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
        .Select((s, i) => (object)new Dictionary<string, object> { ["index"] = i, ["text"] = s })
        .ToList();
});

Job("segment-word-counts", a =>
{
    var item = (IDictionary<string, object>)a["item"];
    a["words"] = item["text"].ToString().Split((char[])null, StringSplitOptions.RemoveEmptyEntries).Length;
});

Job("sum-splits", a =>
{
    var counts = (IList<object>)Payload(a)["section-counts"];
    a["total"] = counts.Sum(c => Convert.ToInt64(((IDictionary<string, object>)c)["words"]));
});

Job("store-title", a => a["stored_title"] = Payload(a)["title"].ToString().ToUpperInvariant());
