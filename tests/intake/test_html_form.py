"""The intake form page and its post without JavaScript: labels, errors, redirect, honeypot."""

import re
from html.parser import HTMLParser

import httpx

from app.services import Services
from tests.factories import Factory
from tests.intake.helpers import SUBMIT, create_form, submission


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each <label for=...>."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.labels: dict[str, str] = {}
        self._label: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "label" and "for" in attributes:
            self._label = attributes["for"]
            self.labels[self._label] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label = None

    def handle_data(self, data: str) -> None:
        if self._label:
            self.labels[self._label] += data

    def by_id(self, element_id: str) -> tuple[str, dict[str, str]]:
        (found,) = [(t, a) for t, a in self.tags if a.get("id") == element_id]
        return found


def posted(entry: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in entry.items() if value is not None}


class TestFormPage:
    async def test_page_is_an_accessible_form_under_a_strict_policy(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world, title="Facilities", intro="We answer <fast>.")
        response = await client.get(f"/intake/{form['slug']}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "form-action 'self'" in policy
        assert "unsafe" not in policy and "script-src" not in policy
        html = response.text
        assert '<html lang="en">' in html and "<title>Facilities</title>" in html
        assert "<script" not in html and " style=" not in html
        assert "We answer &lt;fast&gt;." in html
        page = Elements(html)
        for key in ("name", "email", "subject", "description"):
            _, attributes = page.by_id(key)
            assert "required" in attributes, key
            assert "(required)" in page.labels[key], key
        assert page.labels["category"].strip() == "Category"
        options = [a["value"] for t, a in page.tags if t == "option"]
        assert options == ["", "Hardware", "Software", "Network", "Access", "Account", "General"]
        radios = [(a["value"], "checked" in a) for t, a in page.tags if a.get("name") == "priority"]
        assert radios == [("Critical", False), ("High", False), ("Medium", True), ("Low", False)]
        assert "<legend>Priority</legend>" in html
        (form_tag,) = [a for t, a in page.tags if t == "form"]
        assert (form_tag["method"], form_tag["action"]) == ("post", SUBMIT)
        assert [a["href"] for t, a in page.tags if t == "a"] == ["/portal"]

    async def test_unknown_and_inactive_slugs_are_a_404_page(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world, isActive=False)
        for slug in (form["slug"], "no-such-form"):
            response = await client.get(f"/intake/{slug}")
            assert response.status_code == 404
            assert response.headers["content-type"].startswith("text/html")
            assert "Form not found" in response.text


class TestFormPost:
    async def test_post_redirects_to_a_confirmation_with_the_number(
        self, client: httpx.AsyncClient, factory: Factory, services: Services
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        response = await client.post(SUBMIT, data=submission(form["slug"]))
        assert response.status_code == 303
        location = response.headers["location"]
        assert re.fullmatch(r"/portal/tickets/[A-Za-z0-9_-]{43}\?submitted=1", location)
        confirmation = await client.get(location)
        assert confirmation.status_code == 200
        number = re.search(r"Your ticket number is <strong>#(\d+)</strong>", confirmation.text)
        assert number is not None
        tickets = await factory.gql(
            "query { tickets { edges { node { number title source } } } }", token=world.token
        )
        (edge,) = tickets["data"]["tickets"]["edges"]
        assert edge["node"] == {
            "number": int(number.group(1)),
            "title": "Printer not working",
            "source": "FORM",
        }
        private = f"{services.settings.public_url}{location.split('?')[0]}"
        assert f'href="{private}"' in confirmation.text

    async def test_invalid_post_shows_the_form_again_with_errors_and_values(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        entry = submission(form["slug"], email="jane at home", subject="", priority="Low")
        entry["description"] = "Paper <jam> & smoke"
        response = await client.post(SUBMIT, data=entry)
        assert response.status_code == 400
        html = response.text
        page = Elements(html)
        assert "<title>Error: IT support</title>" in html
        summary = html.index("There is a problem")
        assert summary < html.index("<h1>")
        links = [a["href"] for t, a in page.tags if t == "a" and a["href"].startswith("#")]
        assert links == ["#email", "#subject"]
        for key in ("email", "subject"):
            _, attributes = page.by_id(key)
            assert attributes["aria-invalid"] == "true"
            assert attributes["aria-describedby"] == f"{key}-error"
            assert page.by_id(f"{key}-error")[0] == "p"
        assert "aria-invalid" not in page.by_id("name")[1]
        assert page.by_id("name")[1]["value"] == "Jane Doe"
        assert page.by_id("email")[1]["value"] == "jane at home"
        assert "Paper &lt;jam&gt; &amp; smoke</textarea>" in html
        checked = [
            a["value"] for t, a in page.tags if a.get("name") == "priority" and "checked" in a
        ]
        assert checked == ["Low"]
        tickets = await factory.gql("query { tickets { totalCount } }", token=world.token)
        assert tickets["data"]["tickets"]["totalCount"] == 0

    async def test_a_filled_honeypot_files_nothing(
        self, client: httpx.AsyncClient, factory: Factory
    ) -> None:
        world = await factory.world()
        form = await create_form(factory, world)
        response = await client.post(
            SUBMIT, data=submission(form["slug"], website="http://spam.example")
        )
        assert response.status_code == 200
        assert "Thank you" in response.text and "ticket number" not in response.text
        tickets = await factory.gql("query { tickets { totalCount } }", token=world.token)
        assert tickets["data"]["tickets"]["totalCount"] == 0

    async def test_post_to_an_unknown_form_is_a_404_page(self, client: httpx.AsyncClient) -> None:
        response = await client.post(SUBMIT, data=submission("no-such-form"))
        assert response.status_code == 404
        assert "Form not found" in response.text
