namespace Reactor.Dashboard.Html;

/// <summary>A rendered page body (what live updates replace) with its HTTP status and title.</summary>
internal sealed record Page(int Status, string Title, string Body);
