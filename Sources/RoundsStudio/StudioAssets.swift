/// The studio's style sheet and script, served from the binary (no CDN, nothing downloaded).
enum StudioAssets {
    static let css = """
        :root { --ink: #1d2430; --muted: #5d6778; --line: #d8dde6; --accent: #1f6feb; --bad: #b42318;
                --good: #067647; --warn: #b54708; --bg: #f6f7f9; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
               background: var(--bg); }
        header.top { display: flex; gap: 24px; align-items: center; padding: 10px 24px; background: #fff;
                     border-bottom: 1px solid var(--line); }
        header.top .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
        header.top nav a { margin-right: 16px; color: var(--accent); text-decoration: none; }
        header.top .who { margin-left: auto; color: var(--muted); }
        main { padding: 20px 24px; max-width: 1400px; }
        h1 { font-size: 22px; margin: 0 0 12px; } h2 { font-size: 17px; margin: 20px 0 8px; }
        a { color: var(--accent); }
        table { border-collapse: collapse; background: #fff; }
        th, td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
        th { background: #eef1f5; }
        .muted { color: var(--muted); } .small { font-size: 13px; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 14px; }
        .grid { display: grid; grid-template-columns: minmax(420px, 1fr) minmax(380px, 1fr); gap: 20px; align-items: start; }
        .viewer img { width: 100%; max-height: 640px; object-fit: contain; background: #222; border-radius: 6px;
                      image-rendering: auto; }
        .criterion { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin-bottom: 8px; background: #fff; }
        .criterion.current { border-color: var(--accent); box-shadow: 0 0 0 2px #1f6feb33; }
        .criterion .text { margin: 2px 0 6px; } .criterion .notes { font-size: 13px; color: var(--muted); }
        .choices label { margin-right: 12px; white-space: nowrap; }
        kbd { border: 1px solid #b9c0cc; border-bottom-width: 2px; border-radius: 4px; padding: 0 5px; font-size: 12px;
              background: #fff; font-family: ui-monospace, monospace; }
        .keys { font-size: 13px; color: var(--muted); margin: 8px 0; }
        button, .button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #b9c0cc; background: #fff;
                          cursor: pointer; text-decoration: none; color: var(--ink); display: inline-block; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        form.inline { display: inline; }
        input[type=text], input[type=password], input[type=number], textarea, select { font: inherit; padding: 5px 7px;
              border: 1px solid #b9c0cc; border-radius: 5px; width: 100%; }
        textarea { min-height: 58px; }
        .field { margin-bottom: 10px; } .field > label { display: block; font-weight: 600; font-size: 13px; }
        .problem { color: var(--bad); font-size: 13px; margin-top: 2px; }
        .has-problem input, .has-problem textarea { border-color: var(--bad); }
        .lint-summary.clean { color: var(--good); } .lint-summary.dirty { color: var(--bad); }
        .met { color: var(--good); } .not_met { color: var(--bad); } .uncertain, .indeterminate { color: var(--warn); }
        tr.disagree td { background: #fdecea; } .disagree-mark { color: var(--bad); font-weight: 700; }
        .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
        .pair img { width: 100%; max-height: 520px; object-fit: contain; background: #222; border-radius: 6px; }
        .notice { background: #fff8e6; border: 1px solid #f5d58a; padding: 8px 12px; border-radius: 6px; margin: 10px 0; }
        .error { background: #fdecea; border: 1px solid #f3b4ad; padding: 10px 14px; border-radius: 6px; }
        .filters { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; }
        .filters .field { width: 170px; }
        pre.diff { background: #fff; border: 1px solid var(--line); padding: 8px; overflow: auto; font-size: 13px; }
        pre.diff .add { background: #e6f4ea; display: block; } pre.diff .del { background: #fdecea; display: block; }
        .criterion-row { border: 1px solid var(--line); border-radius: 6px; padding: 10px; margin-bottom: 10px; background: #fff; }
        .row2 { display: grid; grid-template-columns: 1fr 1fr 120px; gap: 10px; }
        .kappa-low { color: var(--bad); font-weight: 600; }
        """

    static let javascript = """
        "use strict";
        (function () {
          function typing(e) {
            var t = e.target;
            return t && (t.tagName === "INPUT" && t.type !== "radio" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
          }

          // Labelling one image: answer each criterion in turn with the keyboard.
          var labelForm = document.getElementById("label-form");
          if (labelForm) {
            var rows = Array.prototype.slice.call(labelForm.querySelectorAll(".criterion"));
            var current = 0;
            var answered = [];
            function show() {
              rows.forEach(function (r, i) { r.classList.toggle("current", i === current); });
              if (rows[current]) rows[current].scrollIntoView({ block: "nearest" });
            }
            function answer(value) {
              var row = rows[current];
              if (!row) return;
              var input = row.querySelector("input[value='" + value + "']");
              if (input) { input.checked = true; answered.push(current); }
              if (current < rows.length - 1) current += 1;
              show();
            }
            function plausibility(value) {
              var input = labelForm.querySelector("input[name='plausibility'][value='" + value + "']");
              if (input) input.checked = true;
            }
            rows.forEach(function (r, i) { r.addEventListener("click", function () { current = i; show(); }); });
            document.addEventListener("keydown", function (e) {
              if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
              var k = e.key.toLowerCase();
              if (k === "1" || k === "m") { answer("met"); }
              else if (k === "2" || k === "n") { answer("not_met"); }
              else if (k === "3" || k === "u") { answer("uncertain"); }
              else if (k === "arrowdown" || k === "j") { current = Math.min(rows.length - 1, current + 1); show(); }
              else if (k === "arrowup" || k === "k") { current = Math.max(0, current - 1); show(); }
              else if (k === "p") { plausibility("plausible"); }
              else if (k === "i") { plausibility("implausible"); }
              else if (k === "backspace" || k === "z") {
                var last = answered.pop();
                if (last !== undefined) {
                  rows[last].querySelectorAll("input").forEach(function (x) { x.checked = false; });
                  current = last; show();
                }
              }
              else if (k === "enter") { labelForm.requestSubmit(); }
              else { return; }
              e.preventDefault();
            });
            show();
          }

          // After answering: next image, or undo the answer just stored.
          var revealed = document.getElementById("revealed");
          if (revealed) {
            document.addEventListener("keydown", function (e) {
              if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
              var k = e.key.toLowerCase();
              var next = document.getElementById("next-image");
              var undo = document.getElementById("undo-form");
              if ((k === "enter" || k === "arrowright") && next) { window.location = next.href; }
              else if ((k === "z" || k === "backspace") && undo) { undo.requestSubmit(); }
              else { return; }
              e.preventDefault();
            });
          }

          // Pairs: pick A, B or equal.
          var pairForm = document.getElementById("pair-form");
          if (pairForm) {
            document.addEventListener("keydown", function (e) {
              if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
              var k = e.key.toLowerCase();
              var choice = k === "a" || k === "arrowleft" ? "a" : k === "b" || k === "arrowright" ? "b"
                : k === "e" || k === "arrowdown" ? "tie" : null;
              if (!choice) return;
              e.preventDefault();
              pairForm.querySelector("input[name='choice']").value = choice;
              pairForm.requestSubmit();
            });
            pairForm.querySelectorAll("button[data-choice]").forEach(function (b) {
              b.addEventListener("click", function () {
                pairForm.querySelector("input[name='choice']").value = b.getAttribute("data-choice");
              });
            });
          }

          // Checklist editor: live lint of the whole form, problems shown under the field they belong to.
          var editor = document.getElementById("checklist-form");
          if (editor) {
            var timer = null;
            var template = document.getElementById("criterion-template");
            var list = document.getElementById("criteria");
            function fieldElement(field) {
              var m = /^criteria\\[(\\d+)\\](?:\\.(\\w+))?/.exec(field);
              if (m) {
                var row = list.querySelectorAll(".criterion-row")[Number(m[1])];
                if (!row) return list;
                if (!m[2]) return row;
                return row.querySelector("[data-key='" + m[2] + "']") || row;
              }
              var top = field.split(".")[0].split("[")[0];
              return editor.querySelector("[data-key='" + top + "']") || document.getElementById("lint-summary");
            }
            function showProblems(problems) {
              editor.querySelectorAll(".problem").forEach(function (p) { p.remove(); });
              editor.querySelectorAll(".has-problem").forEach(function (p) { p.classList.remove("has-problem"); });
              problems.forEach(function (p) {
                var el = fieldElement(p.field);
                var box = el.closest(".field") || el;
                box.classList.add("has-problem");
                var div = document.createElement("div");
                div.className = "problem";
                div.setAttribute("data-problem-field", p.field);
                div.textContent = (p.field ? p.field + ": " : "") + p.message;
                box.appendChild(div);
              });
              var summary = document.getElementById("lint-summary");
              summary.textContent = problems.length === 0 ? "No problems" : problems.length + " problem(s)";
              summary.className = "lint-summary " + (problems.length === 0 ? "clean" : "dirty");
            }
            function lint() {
              var body = new URLSearchParams(new FormData(editor));
              fetch(editor.getAttribute("data-lint"), { method: "POST", body: body, credentials: "same-origin" })
                .then(function (r) { return r.json(); })
                .then(function (j) { showProblems(j.problems || []); })
                .catch(function () {});
            }
            function schedule() { clearTimeout(timer); timer = setTimeout(lint, 250); }
            editor.addEventListener("input", schedule);
            document.getElementById("add-criterion").addEventListener("click", function () {
              list.appendChild(template.content.cloneNode(true)); schedule();
            });
            list.addEventListener("click", function (e) {
              if (e.target.classList.contains("remove-criterion")) {
                e.target.closest(".criterion-row").remove(); schedule();
              }
            });
            lint();
          }
        })();
        """
}
