extension StudioTemplates {
    static let pairsIndex = """
        <h1>Pairs</h1>
        <p>Two images of one condition side by side: pick the one that meets the checklist better, or say they are
        equal. Your pick is stored as a human preference beside the judge's comparisons.</p>
        <table><tr><th>Condition</th><th>Pairs</th><th>Picked by you</th><th></th></tr>
        {{#conditions}}<tr><td>{{name}} <span class="muted small">{{id}}</span></td><td>{{pairs}}</td><td>{{picked}}</td>
        <td>{{#next}}<a href="/pairs/{{next}}">Next pair</a>{{/next}}{{^next}}all picked{{/next}}</td></tr>{{/conditions}}
        </table>
        {{^conditions}}<p class="notice">No pairs are stored. Make them with <code>rounds pairs make --condition C</code>.</p>{{/conditions}}
        """

    static let pair = """
        <h1>{{conditionName}}: which image meets the checklist better?</h1>
        <p class="keys">Keys: <kbd>A</kbd>/<kbd>←</kbd> left · <kbd>B</kbd>/<kbd>→</kbd> right · <kbd>E</kbd>/<kbd>↓</kbd> equal
        {{#picked}} · your pick so far: <b id="current-pick">{{picked}}</b>{{/picked}}</p>
        <form method="post" action="/pairs/{{pairID}}" id="pair-form">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="choice" value="">
        <div class="pair">
        <div><img src="/image/{{imageA}}" alt="image A"><p><button class="primary" data-choice="a" id="pick-a">A is better</button></p></div>
        <div><img src="/image/{{imageB}}" alt="image B"><p><button class="primary" data-choice="b" id="pick-b">B is better</button></p></div>
        </div>
        <p><button data-choice="tie" id="pick-tie">They are equal</button></p>
        </form>
        <div class="card"><h2>The checklist</h2><ol>{{#criteria}}<li>{{text}}</li>{{/criteria}}</ol></div>
        """

    static let agreement = """
        <h1>Agreement</h1>
        <p class="muted">Cohen's κ per criterion, counting only items where both sides said met or not met (as
        <code>rounds agreement</code>); κ below {{threshold}} is flagged. {{#runText}}Judge: {{runText}}.{{/runText}}</p>
        <form method="get" action="/agreement" class="filters"><div class="field"><label for="run">Judge run</label>
        <select name="run" id="run"><option value="">each image's latest judgment</option>
        {{#runs}}<option value="{{id}}" {{#selected}}selected{{/selected}}>run {{id}} · {{model}}</option>{{/runs}}</select></div>
        <button>Show</button></form>
        {{#raters}}
        <div class="card" data-rater="{{rater}}"><h2>{{rater}} ↔ judge</h2>
        {{#error}}<p class="notice">{{error}}</p>{{/error}}
        {{#hasReport}}<p class="small muted">{{labelled}} image(s) labelled; {{neverJudged}} never judged.</p>
        <table><tr><th>Criterion</th><th>κ</th><th>95% interval</th><th>Agreement</th><th>Items</th><th></th></tr>
        {{#criteria}}<tr><td>{{criterion}}</td><td class="{{#low}}kappa-low{{/low}}">{{kappa}}</td><td>{{interval}}</td>
        <td>{{agreement}}</td><td>{{items}}</td><td class="small">{{flagged}}</td></tr>{{/criteria}}
        <tr><th>overall</th><th>{{overallKappa}}</th><th>{{overallInterval}}</th><th>{{overallAgreement}}</th><th>{{overallItems}}</th><th></th></tr>
        </table>
        <h2>Disagreements ({{disagreementCount}})</h2>
        <ul class="small">{{#disagreements}}<li><a href="{{url}}">{{condition}} · image {{short}}</a>: {{criterion}} —
        you: {{mine}}, judge: {{judge}}</li>{{/disagreements}}</ul>{{/hasReport}}
        </div>
        {{/raters}}
        {{^raters}}<p class="notice">No labels are stored yet. Label images first.</p>{{/raters}}
        {{#pairsOfRaters}}
        <div class="card"><h2>{{a}} ↔ {{b}}</h2>
        {{#error}}<p class="notice">{{error}}</p>{{/error}}
        {{#criteria}}<div>{{criterion}}: κ {{kappa}} ({{items}} items)</div>{{/criteria}}
        </div>
        {{/pairsOfRaters}}
        {{#gate}}
        <div class="card" id="trust-gate"><h2>Trust gate</h2><p>{{summary}}</p>
        <table><tr><th>Condition</th><th>Status</th><th>Criterion</th><th>mean κ</th><th>Decision</th></tr>
        {{#rows}}<tr><td>{{condition}}</td><td>{{status}}</td><td>{{criterion}}</td><td>{{kappa}}</td><td>{{decision}}</td></tr>{{/rows}}
        </table></div>
        {{/gate}}
        """

    static let resultsIndex = """
        <h1>Results</h1>
        <table><tr><th>Run</th><th>Model</th><th>Endpoint</th><th>Started</th><th>Status</th><th>Requests</th><th></th></tr>
        {{#runs}}<tr><td>{{id}}</td><td>{{model}}</td><td>{{endpoint}}</td><td>{{started}}</td><td>{{status}}</td>
        <td>{{succeeded}} ok / {{failed}} failed</td><td><a href="/results/{{id}}">Verdicts</a></td></tr>{{/runs}}
        </table>
        {{^runs}}<p class="notice">No judge runs are stored. Run <code>rounds judge</code> first.</p>{{/runs}}
        """

    static let resultsRun = """
        <h1>Run {{run}} · {{model}}</h1>
        <p class="muted">{{imageCount}} image(s) judged. {{#hasScores}}Clinical Alignment Scores below are the latest stored
        by <code>rounds cas</code>.{{/hasScores}}{{^hasScores}}No Clinical Alignment Scores are stored for these images
        (compute them with <code>rounds cas --run {{run}}</code>).{{/hasScores}}</p>
        {{#hasScores}}<table><tr><th>Dimension</th><th>Mean score</th><th>Images</th></tr>
        {{#dimensions}}<tr><td>{{dimension}}</td><td>{{mean}}</td><td>{{count}}</td></tr>{{/dimensions}}</table>{{/hasScores}}
        {{#images}}
        <div class="card"><div class="grid" style="grid-template-columns: 220px 1fr">
        <div class="viewer"><img src="/image/{{id}}" alt="image {{short}}"></div>
        <div><h2>{{condition}} · <code>{{short}}</code> <span class="small muted">{{metCount}}/{{criteriaCount}} met</span></h2>
        {{#scores}}<p class="small">CAS {{dimension}}: {{score}}</p>{{/scores}}
        <table><tr><th>Criterion</th><th>Verdict</th><th>Evidence</th></tr>
        {{#verdicts}}<tr><td>{{criterion}}</td><td class="{{verdict}}">{{verdict}}</td><td class="small">{{evidence}}</td></tr>{{/verdicts}}
        </table></div></div></div>
        {{/images}}
        """
}
