"""Drives `rounds studio` in headless Chromium as a clinician would (Playwright for Python, the
system's Chromium). Called by StudioBrowserTests with the studio's URL; prints what it did and exits
non-zero naming the step that failed. With --screenshots DIR it also saves the main pages at 1280x800.

Usage: studio_browser.py URL CONDITION PAIR_ID CHROMIUM [--screenshots DIR]
"""
import os
import sys

from playwright.sync_api import expect, sync_playwright


def main():
    url, condition, pair_id, chromium = sys.argv[1:5]
    shots = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--screenshots" else None
    url = url.rstrip("/")

    def shot(page, name):
        if shots:
            os.makedirs(shots, exist_ok=True)
            page.screenshot(path=os.path.join(shots, name + ".png"))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(15000)

        # 1. Checklist: a lint problem appears under the field, disappears when fixed; save changes the YAML.
        page.goto(f"{url}/checklists")
        shot(page, "checklists")
        page.goto(f"{url}/checklists/edit?c={condition}")
        expect(page.locator("#lint-summary")).to_have_text("No problems")
        text = page.locator("textarea[name=c_text]").first
        text.fill("TODO write the first criterion")
        problem = page.locator(".problem[data-problem-field='criteria[0].text']")
        expect(problem).to_be_visible()
        expect(page.locator("#lint-summary")).to_contain_text("problem")
        shot(page, "checklist-lint")
        text.fill("The plaque is bright red, clearly redder than the skin around it.")
        expect(problem).to_have_count(0)
        expect(page.locator("#lint-summary")).to_have_text("No problems")
        page.locator("#save-checklist").click()
        expect(page.locator("#saved")).to_be_visible()
        print("checklist: lint problem appeared and cleared; saved version",
              page.locator("#new-version").inner_text())
        shot(page, "checklist-edit")

        # 2. Label three images with the keyboard only; the judge shows only after answering.
        page.goto(f"{url}/label")
        shot(page, "label-queue")
        page.goto(f"{url}/label/queue?condition={condition}")
        for n in range(3):
            expect(page.locator("#label-form")).to_be_visible()
            if page.locator("#comparison").count() != 0 or "Judge's evidence" in page.content():
                raise SystemExit(f"image {n + 1}: the judge's answers were on the page before the rater answered")
            if n == 0:
                shot(page, "label-blind")
            criteria = page.locator("#label-form .criterion[data-criterion]").count()
            for k in range(criteria):
                page.keyboard.press("m" if (k + n) % 2 == 0 else "n")
            page.keyboard.press("p")
            page.keyboard.press("Enter")
            expect(page.locator("#revealed")).to_be_visible()
            expect(page.locator("#comparison")).to_be_visible()
            if n == 0:
                shot(page, "label-revealed")
            print(f"label: image {n + 1} answered with {criteria} key presses, judge revealed after")
            with page.expect_navigation():  # on to the next image; wait for it, or the next goto is interrupted
                page.keyboard.press("Enter")

        # 3. A pair: pick the left image with the keyboard.
        page.goto(f"{url}/pairs/{pair_id}")
        expect(page.locator("#pair-form")).to_be_visible()
        shot(page, "pairs")
        with page.expect_navigation():
            page.keyboard.press("a")
        print("pairs: picked A")

        page.goto(f"{url}/agreement")
        shot(page, "agreement")
        page.goto(f"{url}/results")
        link = page.locator("a[href^='/results/']").first
        if link.count():
            link.click()
            page.wait_for_load_state()
            shot(page, "results")
        browser.close()
    print("browser: all steps passed")


if __name__ == "__main__":
    main()
