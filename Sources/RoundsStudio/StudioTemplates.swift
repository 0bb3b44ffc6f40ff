/// The studio's Mustache templates, compiled into the binary. `{{x}}` escapes HTML; only the layout
/// uses `{{{body}}}` (a page rendered here).
enum StudioTemplates {
    static var all: [(String, String)] {
        [
            ("layout", layout), ("error", error), ("home", home), ("rater", rater), ("login", login),
            ("label-index", labelIndex), ("label-image", labelImage), ("label-done", labelDone),
            ("checklist-index", checklistIndex), ("checklist-edit", checklistEdit), ("checklist-history", checklistHistory), ("checklist-conflict", checklistConflict),
            ("pairs-index", pairsIndex), ("pair", pair), ("agreement", agreement),
            ("results-index", resultsIndex), ("results-run", resultsRun),
        ]
    }

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Rounds studio</title><meta name="csrf-token" content="{{csrf}}">
        <link rel="stylesheet" href="/static/studio.css"><script src="/static/studio.js" defer></script></head>
        <body>
        <header class="top"><a class="brand" href="/">Rounds studio</a>
        <nav><a href="/checklists">Checklists</a><a href="/label">Label images</a><a href="/pairs">Pairs</a>
        <a href="/agreement">Agreement</a><a href="/results">Results</a></nav>
        <span class="who">{{#rater}}Rater: <b id="rater-name">{{rater}}</b>{{/rater}}
        {{#loggedIn}}<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf_token" value="{{csrf}}">
        <button>Log out</button></form>{{/loggedIn}}</span></header>
        <main>
        {{{body}}}
        </main></body></html>
        """

    static let error = """
        <h1>{{status}}</h1>
        <div class="error" id="error-message">{{message}}</div>
        <p><a href="/">Back to the start page</a></p>
        """

    static let home = """
        <h1>Rounds studio</h1>
        <p class="muted">Store: {{storePath}} · Checklists: {{checklistsOrigin}}</p>
        <div class="card"><h2>What you can do here</h2>
        <ul>
        <li><a href="/checklists">Checklists</a>: write and review what an image of each condition must show ({{checklistCount}} conditions).</li>
        <li><a href="/label">Label images</a>: answer each criterion for one image at a time, then see what the judge said ({{imageCount}} images stored).</li>
        <li><a href="/pairs">Pairs</a>: pick which of two images meets the checklist better ({{pairCount}} pairs).</li>
        <li><a href="/agreement">Agreement</a>: where you and the judge disagree, criterion by criterion.</li>
        <li><a href="/results">Results</a>: the judge's verdicts of a run, with its evidence, and the stored alignment scores.</li>
        </ul></div>
        """

    static let rater = """
        <h1>Who is rating?</h1>
        <p>Your name is stored with every answer you give (as <code>rounds labels import --rater</code> does). It is asked once per browser session.</p>
        <form method="post" action="/rater" class="card" style="max-width:420px">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="next" value="{{next}}">
        <div class="field"><label for="rater">Your name</label><input type="text" id="rater" name="rater" autofocus required></div>
        <button class="primary">Continue</button></form>
        """

    static let login = """
        <h1>Log in</h1>
        <p class="muted">This studio is served over the network, so every page needs an account
        (made on the server with <code>rounds studio user add NAME</code>).</p>
        {{#failed}}<div class="error" id="login-error">Wrong name or password.</div>{{/failed}}
        <form method="post" action="/login" class="card" style="max-width:420px">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="next" value="{{next}}">
        <div class="field"><label for="name">Name</label><input type="text" id="name" name="name" autofocus required></div>
        <div class="field"><label for="password">Password</label><input type="password" id="password" name="password" required></div>
        <button class="primary">Log in</button></form>
        """
}
