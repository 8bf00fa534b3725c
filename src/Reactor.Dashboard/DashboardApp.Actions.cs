using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Reactor.Dashboard.Data;
using Reactor.Dashboard.Html;

namespace Reactor.Dashboard;

// POST actions. Each one passes the access checks, refuses in read-only mode, validates the
// antiforgery token (a cross-site form cannot read it), then redirects (303) to a page that shows
// what happened.
internal sealed partial class DashboardApp
{
    public async Task<IResult> ActAsync(HttpContext context, string id, string action)
    {
        if (await RefuseActionAsync(context).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        var cancellation = context.RequestAborted;
        var outcome = action switch
        {
            "retry" => await _actions.RetryAsync(id, cancellation).ConfigureAwait(false),
            "cancel" => _actions.Cancel(id),
            "delete" => await _actions.DeleteAsync(id, cancellation).ConfigureAwait(false),
            _ => null,
        };
        if (outcome is null)
        {
            return Results.Text($"Unknown action '{action}'.", "text/plain", statusCode: 404);
        }
        var target = outcome.JobId ?? id;
        var after = action == "delete" && outcome.Ok ? $"{_basePath}/jobs?" : $"{_basePath}/jobs/{Uri.EscapeDataString(target)}?";
        return Redirect(after, outcome);
    }

    public async Task<IResult> BulkAsync(HttpContext context)
    {
        if (await RefuseActionAsync(context).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var action = context.Request.Query["action"].ToString();
        var statusName = context.Request.Query["status"].ToString();
        if (StatusNames.Parse(statusName) is not { } status || action is not ("retry" or "delete"))
        {
            return Results.Text("A bulk action needs status=<a job status> and action=retry|delete.", "text/plain", statusCode: 400);
        }
        if (form["confirm"] != "yes")
        {
            return Results.Text("A bulk action needs confirm=yes.", "text/plain", statusCode: 400);
        }
        var outcome = await _actions.BulkAsync(action, status, context.RequestAborted).ConfigureAwait(false);
        return Redirect($"{_basePath}/jobs?status={statusName}&", outcome);
    }

    public async Task<IResult> WorkflowActAsync(HttpContext context, string id, string action)
    {
        if (await RefuseActionAsync(context).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }
        if (await _reader.ControlWorkflowAsync(id, action, context.RequestAborted).ConfigureAwait(false) is not { } outcome)
        {
            return Results.Text($"Unknown action '{action}'.", "text/plain", statusCode: 404);
        }
        return Redirect($"{_basePath}/workflows/{Uri.EscapeDataString(id)}?", outcome);
    }

    public async Task<IResult> FindWorkflowAsync(HttpContext context)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var id = context.Request.Query["id"].ToString().Trim();
        return Results.Redirect(id.Length == 0 ? $"{_basePath}/workflows" : $"{_basePath}/workflows/{Uri.EscapeDataString(id)}");
    }

    public async Task<IResult> FindFlowAsync(HttpContext context)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var id = context.Request.Query["id"].ToString().Trim();
        // A run id, or a scope as listed (run:ID, global).
        var scope = id.Length == 0 || id == "global" || id.StartsWith("run:", StringComparison.Ordinal) ? id : "run:" + id;
        return Results.Redirect(scope.Length == 0 ? $"{_basePath}/flows" : $"{_basePath}/flows/{Uri.EscapeDataString(scope)}");
    }

    public async Task<IResult> FindAsync(HttpContext context)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        var id = context.Request.Query["id"].ToString().Trim();
        if (id.Length == 0)
        {
            return Results.Redirect($"{_basePath}/jobs");
        }
        // With Redis, the text is an id prefix: one exact match opens the job, several are listed. Without
        // Redis (or with no match) it opens the job page, which says when the id is unknown and keeps watching.
        if (_reader.Redis is not null)
        {
            try
            {
                var store = await _reader.Redis.StoreAsync(context.RequestAborted).ConfigureAwait(false);
                var found = await store.FindByIdPrefixAsync(id, 2, context.RequestAborted).ConfigureAwait(false);
                if (found.Count > 1 || (found.Count == 1 && found[0].Id != id))
                {
                    return Results.Redirect($"{_basePath}/jobs?prefix={Uri.EscapeDataString(id)}");
                }
            }
            catch (StackExchange.Redis.RedisException)
            {
                // The job page shows the Redis banner.
            }
        }
        return Results.Redirect($"{_basePath}/jobs/{Uri.EscapeDataString(id)}");
    }

    private async Task<IResult?> RefuseActionAsync(HttpContext context)
    {
        if (await DenyAsync(context).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        if (_options.ReadOnly)
        {
            return Results.Text("The Reactor dashboard is read-only (DashboardOptions.ReadOnly).", "text/plain", statusCode: 403);
        }
        try
        {
            await _antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Text("Refused: the form's antiforgery token is missing or invalid. Reload the page and try again.", "text/plain",
                statusCode: 400);
        }
    }

    private static IResult Redirect(string pathWithQuery, ActionOutcome outcome) =>
        Results.Redirect($"{pathWithQuery}flash={Uri.EscapeDataString(outcome.Message)}&ok={(outcome.Ok ? 1 : 0)}", permanent: false, preserveMethod: false);
}
