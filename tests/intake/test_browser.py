"""The intake form in a real headless browser with JavaScript off, and the ticket it files
showing up on the tenant's live board."""

import re
from typing import Any

from tests.factories import Factory, gid
from tests.intake.helpers import create_form
from tests.test_board_page import LiveServer, record_error


async def test_a_form_sent_without_javascript_files_a_ticket_seen_on_the_board(
    live_server: LiveServer, browser: Any, factory: Factory
) -> None:
    world = await factory.world()
    form = await create_form(factory, world, title="IT support")
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: record_error(problems, m.type, m.text))
    await page.goto(f"{live_server.url}/intake/{form['slug']}")
    assert await page.title() == "IT support"
    await page.get_by_label("Your name").fill("Jane Doe")
    await page.get_by_label("Email address").fill("jane@company.com")
    await page.get_by_label("Subject").fill("Projector in room 4 flickers")
    await page.get_by_label("Category").select_option("Hardware")
    await page.get_by_label("High").check()
    await page.get_by_label("Description").fill("It flickers every few seconds.")
    await page.get_by_role("button", name="Send request").click()
    await page.wait_for_url(re.compile(r"/portal/tickets/[^/?]+\?submitted=1$"))
    notice = await page.get_by_role("status").text_content()
    number = re.search(r"Your ticket number is #(\d+)", notice or "")
    assert number is not None, notice
    assert await page.get_by_role("heading", level=1).text_content() == (
        "Projector in room 4 flickers"
    )
    assert problems == []
    await context.close()

    board = await browser.new_page()
    await board.goto(f"{live_server.url}/board/{gid('brd', world.board.id)}#key={world.api_key}")
    card = board.locator("#col-OPEN li.card").filter(has_text="Projector in room 4 flickers")
    await card.wait_for(timeout=10_000)
    assert f"#{number.group(1)}" in (await card.text_content() or "")
