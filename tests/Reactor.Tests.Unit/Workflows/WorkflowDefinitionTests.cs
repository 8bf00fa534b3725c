using NUnit.Framework;
using Reactor.Workflows;

namespace Reactor.Tests.Unit.Workflows;

public sealed class WorkflowDefinitionTests
{
    private const string Search = """
        {"name": "search", "phases": [
          {"name": "pending", "is_initial": true, "transitions_to": "searching", "on_error_transition_to": "error"},
          {"name": "searching", "transitions_to": "finished", "on_error_transition_to": "error",
           "handlers": ["GoogleSearcher", {"name": "PageDownloader", "version": "1.2"}]},
          {"name": "error", "is_final": true, "handlers": ["ErrorEmailer"]},
          {"name": "finished", "is_final": true}
        ]}
        """;

    private const string WordCount = """
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

    [Test]
    public void Distribot_phases_become_steps_depending_on_the_phase_that_transitions_to_them()
    {
        var definition = WorkflowDefinitions.Parse("search.json", Search).Single();

        Assert.That(definition.Steps.Select(s => s.Name), Is.EqualTo(new[] { "pending", "searching", "error", "finished" }));
        Assert.That(definition["searching"].Depends, Is.EqualTo(new[] { "pending" }));
        Assert.That(definition["searching"].Handlers[1], Is.EqualTo(new HandlerDefinition("PageDownloader", "1.2")));
        Assert.That(definition["searching"].OnError, Is.EqualTo("error"));
        Assert.That(definition.IsErrorOnly("error"), Is.True);
        Assert.That(definition["pending"].IsInitial, Is.True);
    }

    [Test]
    public void Workflow_manager_yaml_compiles_steps_and_fan_out_tasks()
    {
        var definition = WorkflowDefinitions.Parse("wc.yaml", WordCount).Single();

        Assert.That(definition.Name, Is.EqualTo("book-word-counts"));
        Assert.That(definition["section-counts"].FanOut!.ItemListKey, Is.EqualTo("sections"));
        Assert.That(definition["section-counts"].FanOut!.Chain.Single().Name, Is.EqualTo("segment-word-counts"));
        Assert.That(definition["section-counts"].Handlers, Is.Empty);
        Assert.That(definition["book-split"].Handlers.Single().Name, Is.EqualTo("book-split"));
        Assert.That(definition["store-title"].IsInitial, Is.True);
        Assert.That(definition.IsAncestor("book-split", "sum-splits"), Is.True);
    }

    [TestCase("search.json", """{"name": "x", "phases": [{"name": "a", "transitions_to": "b"}, {"name": "b", "is_final": true}]}""", "no phase has \"is_initial\": true")]
    [TestCase("search.json", """{"name": "x", "phases": [{"name": "a", "is_initial": true, "transitions_to": "b"}, {"name": "b"}, {"name": "c", "is_final": true}]}""", "phases[1] 'b': a phase that is not final needs transitions_to")]
    [TestCase("search.json", """{"name": "x", "phases": [{"name": "a", "is_initial": true, "transitions_to": "nope"}, {"name": "b", "is_final": true}]}""", "transitions_to unknown phase 'nope'")]
    [TestCase("search.json", """{"name": "x", "phases": [{"name": "a", "is_initial": true, "transitions_to": "b"}, {"name": "b", "is_final": true}, {"name": "b", "is_final": true}]}""", "duplicate step name 'b'")]
    [TestCase("search.json", """{"name": "x y", "phases": [{"name": "a", "is_initial": true, "is_final": true}]}""", "workflow name 'x y' is invalid")]
    [TestCase("search.json", """{"name": "x", "phases": [{"name": "a/b", "is_initial": true, "is_final": true}]}""", "step name 'a/b' is invalid")]
    [TestCase("search.json", """{"name": "x", "phases": [{"name": "a", "is_initial": true, "is_final": true}, {"name": "lost", "is_final": true}]}""", "phases[1] 'lost': no transition from the initial phase reaches this phase")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps:\n      - name: a\n        depends: [b]\n      - name: b\n        depends: [a]\n", "cycle through steps")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps:\n      - name: a\n        depends: [zz]\n", "steps[0] 'a': depends on unknown step 'zz'")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps:\n      - name: a\n        task: nope\n", "unknown task 'nope'")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps:\n      - name: a\n        dependz: [b]\n", "unknown key 'dependz'")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps:\n      - name: a\n      - name: a\n", "duplicate step name 'a'")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps: []\n", "the workflow has no steps")]
    [TestCase("wc.yaml", "workflows:\n  - name: w\n    steps:\n      - name: a\n        task: t\n    tasks:\n      - name: t\n        steps:\n          - name: s\n", "a task needs itemListKey")]
    public void An_invalid_definition_names_the_file_and_the_element(string file, string text, string expected)
    {
        var error = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitions.Parse(file, text));

        Assert.That(error!.Message, Does.StartWith(file + ": "));
        Assert.That(error.Message, Does.Contain(expected));
    }

    [Test]
    public void Malformed_text_is_reported_with_its_line()
    {
        var json = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitions.Parse("a.json", "{\n\"name\": }"));
        var yaml = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitions.Parse("a.yaml", "workflows:\n  - name: [x\n"));

        Assert.That(json!.Message, Does.Contain("a.json: line 2: not valid JSON"));
        Assert.That(yaml!.Message, Does.Contain("a.yaml: line").And.Contain("not valid YAML"));
    }
}
