extension StudioTemplates {
    static let checklistIndex = """
        <h1>Checklists</h1>
        <p class="muted">From {{origin}}.{{^editable}} These are the checklists built into rounds and cannot be edited
        here: start the studio with <code>--checklists FOLDER</code> (a copy of <code>Checklists/</code>) to edit.{{/editable}}</p>
        {{#domains}}
        <div class="card"><h2>{{name}} <span class="muted small">{{id}} · {{modality}}</span></h2>
        <table><tr><th>Condition</th><th>Status</th><th>Criteria</th><th>Version</th><th></th></tr>
        {{#checklists}}<tr><td>{{name}} <span class="muted small">{{id}}</span></td><td>{{status}}{{#reviewed}} by {{reviewedBy}} on {{reviewedOn}}{{/reviewed}}</td>
        <td>{{criteria}}</td><td><code>{{version}}</code></td>
        <td><a href="/checklists/edit?c={{id}}">{{#editable}}Edit{{/editable}}{{^editable}}View{{/editable}}</a> ·
        <a href="/checklists/history?c={{id}}">History</a></td></tr>{{/checklists}}
        </table>
        {{#editable}}<form method="post" action="/checklists/new" class="filters" style="margin-top:10px">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="domain" value="{{id}}">
        <div class="field"><label>New condition id (lowercase, hyphens)</label><input type="text" name="condition" placeholder="e.g. tinea-corporis"></div>
        <button>Create from the skeleton</button></form>{{/editable}}
        </div>
        {{/domains}}
        {{#broken}}
        <div class="card"><h2>Files with problems (not used by the judge until fixed)</h2>
        <ul>{{#files}}<li>{{#link}}<a href="/checklists/edit?c={{condition}}">{{path}}</a>{{/link}}{{^link}}{{path}}{{/link}}
        <ul>{{#problems}}<li class="problem">{{.}}</li>{{/problems}}</ul></li>{{/files}}</ul></div>
        {{/broken}}
        """

    static let checklistEdit = """
        <h1>{{name}} <span class="muted small">{{condition}}</span></h1>
        {{#saved}}<div class="notice" id="saved">Saved {{path}}. {{#version}}New version <code id="new-version">{{version}}</code>.{{/version}}
        {{^version}}It still has problems, so the judge does not use it yet.{{/version}}</div>{{/saved}}
        <p class="muted small">File: {{path}} · version {{#currentVersion}}<code id="current-version">{{currentVersion}}</code>{{/currentVersion}}{{^currentVersion}}(none: the file has problems){{/currentVersion}} ·
        <a href="/checklists/history?c={{condition}}">History</a></p>
        {{#hasComments}}<p class="notice" id="comments-notice">This file has {{commentLines}} comment line(s). Saving here writes the
        fields in the standard order (id, name, description, status, review, criteria) and does <b>not</b> keep comments or
        other layout; the earlier text stays in the history.</p>{{/hasComments}}
        {{^editable}}<p class="notice">Read-only: these checklists are built into rounds. Start the studio with <code>--checklists FOLDER</code> to edit.</p>{{/editable}}
        <form method="post" action="/checklists/save" id="checklist-form" data-lint="/checklists/lint">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="c" value="{{condition}}">
        <input type="hidden" name="base" value="{{base}}">
        <input type="hidden" name="reviewed_by" value="{{reviewedBy}}"><input type="hidden" name="reviewed_on" value="{{reviewedOn}}">
        <p>Lint: <span id="lint-summary" class="lint-summary">checking…</span></p>
        <div class="card">
        <div class="field" data-key="id"><label>Id (the file name)</label><input type="text" name="id" value="{{id}}" data-key="id"></div>
        <div class="field" data-key="name"><label>Display name (also the image prompt's condition name)</label><input type="text" name="name" value="{{name}}" data-key="name"></div>
        <div class="field" data-key="description"><label>Description (the prompt text that tells the judge what the condition is)</label>
        <textarea name="description" data-key="description">{{description}}</textarea></div>
        <div class="field" data-key="status"><label>Status</label><select name="status" data-key="status">
        <option value="draft" {{#isDraft}}selected{{/isDraft}}>draft</option><option value="reviewed" {{^isDraft}}selected{{/isDraft}}>reviewed</option></select>
        {{#reviewedBy}}<span class="small muted">reviewed by {{reviewedBy}} on {{reviewedOn}}</span>{{/reviewedBy}}</div>
        <div class="field" data-key="reviewed_by"></div><div class="field" data-key="reviewed_on"></div>
        </div>
        <h2>Criteria</h2>
        <div id="criteria">
        {{#criteria}}
        <div class="criterion-row">
        <div class="row2">
        <div class="field"><label>Id</label><input type="text" name="c_id" value="{{id}}" data-key="id"></div>
        <div class="field"><label>Dimension</label><select name="c_dimension" data-key="dimension">
        {{#dimensions}}<option value="{{id}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/dimensions}}</select></div>
        <div class="field"><label>Weight</label><input type="text" name="c_weight" value="{{weight}}" data-key="weight"></div>
        </div>
        <div class="field"><label>Visual statement (checkable from the image alone)</label><textarea name="c_text" data-key="text">{{text}}</textarea></div>
        <div class="field"><label>Notes (e.g. how it looks on darker skin)</label><textarea name="c_notes" data-key="notes">{{notes}}</textarea></div>
        <button type="button" class="remove-criterion">Remove this criterion</button>
        </div>
        {{/criteria}}
        </div>
        <template id="criterion-template"><div class="criterion-row"><div class="row2">
        <div class="field"><label>Id</label><input type="text" name="c_id" value="" data-key="id"></div>
        <div class="field"><label>Dimension</label><select name="c_dimension" data-key="dimension">
        {{#allDimensions}}<option value="{{id}}">{{name}}</option>{{/allDimensions}}</select></div>
        <div class="field"><label>Weight</label><input type="text" name="c_weight" value="1" data-key="weight"></div></div>
        <div class="field"><label>Visual statement (checkable from the image alone)</label><textarea name="c_text" data-key="text"></textarea></div>
        <div class="field"><label>Notes (e.g. how it looks on darker skin)</label><textarea name="c_notes" data-key="notes"></textarea></div>
        <button type="button" class="remove-criterion">Remove this criterion</button></div></template>
        <p><button type="button" id="add-criterion">Add a criterion</button></p>
        {{#editable}}<p><button class="primary" id="save-checklist">Save</button></p>{{/editable}}
        </form>
        {{#editable}}<form method="post" action="/checklists/review" class="card">
        <input type="hidden" name="csrf_token" value="{{csrf}}"><input type="hidden" name="c" value="{{condition}}">
        <input type="hidden" name="base" value="{{base}}">
        <p>Signing off: marks the checklist <b>reviewed</b> by {{#rater}}{{rater}}{{/rater}}{{^rater}}you{{/rater}}, dated today (the file as saved, not unsaved edits above).</p>
        <button id="mark-reviewed">Mark reviewed</button></form>{{/editable}}
        """

    static let checklistHistory = """
        <h1>History of {{condition}}</h1>
        <p class="muted">Versions stored when a checklist was judged with or saved in the studio, and the file as it is now.
        The version is the hash of the checklist's content, so a change of layout alone is not a new version.</p>
        {{#versions}}
        <div class="card"><h2><code>{{short}}</code> <span class="muted small">{{when}} · {{origin}}</span></h2>
        {{#first}}<p class="muted small">The first version known.</p>{{/first}}
        {{#hasDiff}}<pre class="diff">{{#diff}}<span class="{{kind}}">{{text}}</span>
        {{/diff}}</pre>{{/hasDiff}}
        {{#unchanged}}<p class="muted small">Same text as the version before.</p>{{/unchanged}}
        </div>
        {{/versions}}
        """

    static let checklistConflict = """
        <h1>Not saved: {{condition}} changed since you opened it</h1>
        <p class="error" id="conflict">Someone (another tab, another person, or a text editor) saved this checklist after you
        opened it. Your changes were <b>not</b> written, so theirs are not lost. The newer version is below with what your
        save would have changed in it; open the editor again to apply your changes to it.</p>
        <p><a class="button primary" href="/checklists/edit?c={{condition}}">Open the newer version</a></p>
        <h2>The file now {{#currentVersion}}(version <code>{{currentVersion}}</code>){{/currentVersion}}</h2>
        <pre class="diff" id="newer">{{current}}</pre>
        <h2>Your changes against it</h2>
        <pre class="diff">{{#diff}}<span class="{{kind}}">{{text}}</span>
        {{/diff}}</pre>
        """
}
