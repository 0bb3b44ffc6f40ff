extension StudioTemplates {
    static let labelIndex = """
        <h1>Label images</h1>
        <p>Pick a condition. The queue shows the images you have not labelled first. The judge's answers stay
        hidden until you have given yours, so they cannot sway you.</p>
        <form method="get" action="/label/queue" class="card filters" id="queue-form">
        <div class="field"><label for="condition">Condition</label><select name="condition" id="condition">
        {{#conditions}}<option value="{{id}}">{{name}} ({{id}})</option>{{/conditions}}</select></div>
        <div class="field"><label for="origin">Origin</label><select name="origin" id="origin"><option value="">any</option>
        <option value="real">real</option><option value="synthetic">synthetic</option></select></div>
        <div class="field"><label for="split">Split</label><select name="split" id="split"><option value="">any</option>
        <option value="train">train</option><option value="test">test</option><option value="none">none</option></select></div>
        <div class="field"><label for="skin">Skin tone</label><select name="skin" id="skin"><option value="">any</option>
        {{#skinTones}}<option value="{{.}}">{{.}}</option>{{/skinTones}}</select></div>
        <div class="field"><label for="run">Judge run</label><select name="run" id="run"><option value="">any</option>
        {{#runs}}<option value="{{id}}">run {{id}} · {{model}}</option>{{/runs}}</select></div>
        <button class="primary">Start labelling</button></form>
        <table><tr><th>Condition</th><th>Images</th><th>Labelled by you</th><th></th></tr>
        {{#conditions}}<tr><td>{{name}} <span class="muted small">{{id}}</span></td><td>{{images}}</td><td>{{labelled}}</td>
        <td><a href="/label/queue?condition={{id}}">Open queue</a></td></tr>{{/conditions}}
        </table>
        {{^conditions}}<p class="notice">No stored image has a condition with a checklist. Add images with <code>rounds images add</code>.</p>{{/conditions}}
        """

    static let labelImage = """
        <h1>{{conditionName}} <span class="muted small">{{condition}}</span></h1>
        <p class="muted small">Image {{position}} of {{queueCount}} in this queue ({{remaining}} not yet labelled by you) ·
        {{origin}} · split {{split}}{{#skinTone}} · skin tone {{skinTone}}{{/skinTone}} · id <code>{{imageShort}}</code></p>
        <div class="grid">
        <div class="viewer"><img src="/image/{{imageID}}" alt="image {{imageShort}}" id="the-image"></div>
        <div>
        {{#blind}}
        <form method="post" action="/label/image" id="label-form">
        <input type="hidden" name="csrf_token" value="{{csrf}}">
        <input type="hidden" name="image" value="{{imageID}}"><input type="hidden" name="queue" value="{{queueQuery}}">
        <p class="keys">Keys: <kbd>1</kbd>/<kbd>M</kbd> met · <kbd>2</kbd>/<kbd>N</kbd> not met · <kbd>3</kbd>/<kbd>U</kbd> uncertain
        (then the next criterion) · <kbd>↑</kbd><kbd>↓</kbd> move · <kbd>P</kbd> plausible · <kbd>I</kbd> implausible ·
        <kbd>Backspace</kbd> undo the last answer · <kbd>Enter</kbd> save</p>
        {{#criteria}}
        <div class="criterion" data-index="{{index}}" data-criterion="{{id}}">
        <div><b>{{number}}.</b> <span class="muted small">{{id}}</span></div>
        <div class="text">{{text}}</div>
        {{#notes}}<div class="notes">{{notes}}</div>{{/notes}}
        <div class="choices">
        <label><input type="radio" name="criterion:{{id}}" value="met"> met</label>
        <label><input type="radio" name="criterion:{{id}}" value="not_met"> not met</label>
        <label><input type="radio" name="criterion:{{id}}" value="uncertain"> uncertain</label></div>
        </div>
        {{/criteria}}
        <div class="criterion"><b>Overall</b>: is this a plausible image of {{conditionName}}?
        <div class="choices"><label><input type="radio" name="plausibility" value="plausible"> plausible</label>
        <label><input type="radio" name="plausibility" value="implausible"> implausible</label></div></div>
        <div class="field"><label for="note">Note (optional)</label><input type="text" name="note" id="note"></div>
        <button class="primary" id="save-label">Save and show the judge</button>
        </form>
        {{/blind}}
        {{#revealed}}
        <div id="revealed">
        <p class="keys">Keys: <kbd>Enter</kbd>/<kbd>→</kbd> next image · <kbd>Z</kbd> undo this label</p>
        {{#judgeModel}}<p class="small muted">Judge: {{judgeModel}}, run {{judgeRun}}. {{disagreements}} disagreement(s) highlighted.</p>{{/judgeModel}}
        {{^judgeModel}}<p class="notice">The judge has not judged this image against the current checklist.</p>{{/judgeModel}}
        <table id="comparison"><tr><th>Criterion</th><th>You</th><th>Judge</th><th>Judge's evidence</th></tr>
        {{#rows}}<tr class="{{#disagree}}disagree{{/disagree}}" data-criterion="{{id}}"><td>{{number}}. {{text}}</td>
        <td class="{{mine}}">{{mineText}}{{#disagree}} <span class="disagree-mark" title="you and the judge disagree">≠</span>{{/disagree}}</td>
        <td class="{{judge}}">{{judgeText}}</td><td class="small">{{evidence}}</td></tr>{{/rows}}
        <tr><td><b>Overall plausibility</b></td><td>{{plausibility}}</td><td colspan="2"></td></tr>
        {{#note}}<tr><td>Note</td><td colspan="3">{{note}}</td></tr>{{/note}}
        </table>
        <p>
        {{#nextURL}}<a class="button primary" href="{{nextURL}}" id="next-image">Next image →</a>{{/nextURL}}
        {{^nextURL}}<a class="button primary" href="{{doneURL}}" id="next-image">Queue finished →</a>{{/nextURL}}
        {{#labelID}}<form method="post" action="/label/undo" class="inline" id="undo-form">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="label" value="{{labelID}}">
        <input type="hidden" name="image" value="{{imageID}}"><input type="hidden" name="queue" value="{{queueQuery}}">
        <button>Undo this label</button></form>{{/labelID}}
        </p></div>
        {{/revealed}}
        </div></div>
        """

    static let labelDone = """
        <h1>{{conditionName}}: queue finished</h1>
        <p>You have labelled all {{queueCount}} image(s) in this queue.</p>
        <p><a href="/label">Choose another condition</a> · <a href="/agreement">See where you and the judge disagree</a></p>
        """
}
