import base64
import time

import pytest

from app.webhooks.signatures import (
    SignatureRefused,
    github_signature,
    standard_signature,
    verify,
)

SECRET = "whsec_" + base64.b64encode(b"a shared secret of thirty-two bytes!").decode()
BODY = b'{"event_id":"evt_1","event_type":"user_reported"}'


def standard_headers(body: bytes = BODY, *, at: float | None = None, secret: str = SECRET):
    stamp = str(int(time.time() if at is None else at))
    signature = standard_signature(secret, "msg_1", stamp, body)
    return {"webhook-id": "msg_1", "webhook-timestamp": stamp, "webhook-signature": signature}


class TestGithubScheme:
    def test_githubs_published_known_answer(self) -> None:
        assert github_signature("It's a Secret to Everybody", b"Hello, World!") == (
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        )

    def test_a_correct_signature_passes(self) -> None:
        verify(BODY, {"x-signature-256": github_signature(SECRET, BODY)}, [SECRET])

    @pytest.mark.parametrize(
        "headers",
        [
            {"x-signature-256": github_signature("whsec_wrong", BODY)},
            {"x-signature-256": github_signature(SECRET, BODY[:-1] + b"]")},
            {"x-signature-256": "sha256=" + "0" * 64},
            {},
        ],
        ids=["wrong secret", "one byte changed", "forged", "missing header"],
    )
    def test_anything_else_is_refused(self, headers: dict[str, str]) -> None:
        with pytest.raises(SignatureRefused) as refused:
            verify(BODY, headers, [SECRET])
        assert refused.value.code == "FORBIDDEN"

    def test_old_and_new_secret_both_pass_during_a_rotation(self) -> None:
        old, new = SECRET, "whsec_bmV3IHNlY3JldA=="
        for secret in (old, new):
            verify(BODY, {"x-signature-256": github_signature(secret, BODY)}, [new, old])
        with pytest.raises(SignatureRefused):
            verify(BODY, {"x-signature-256": github_signature(old, BODY)}, [new])


class TestStandardWebhooks:
    def test_the_specifications_published_vector(self) -> None:
        secret, stamp = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "1614265330"
        body = b'{"test": 2432232314}'
        expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        assert standard_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", stamp, body) == expected
        headers = {
            "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "webhook-timestamp": stamp,
            "webhook-signature": expected,
        }
        verify(body, headers, [secret], now=1614265330 + 10)

    def test_a_fresh_correct_signature_passes(self) -> None:
        verify(BODY, standard_headers(), [SECRET])

    def test_any_of_several_offered_signatures_may_match(self) -> None:
        headers = standard_headers()
        headers["webhook-signature"] = "v1,AAAA " + headers["webhook-signature"]
        verify(BODY, headers, [SECRET])

    @pytest.mark.parametrize("minutes", [6, -6], ids=["6 minutes old", "6 minutes ahead"])
    def test_timestamps_outside_five_minutes_are_refused(self, minutes: int) -> None:
        headers = standard_headers(at=time.time() - minutes * 60)
        with pytest.raises(SignatureRefused, match="five minutes"):
            verify(BODY, headers, [SECRET])

    def test_four_minutes_either_way_is_accepted(self) -> None:
        for minutes in (4, -4):
            verify(BODY, standard_headers(at=time.time() - minutes * 60), [SECRET])

    def test_a_changed_body_or_wrong_secret_is_refused(self) -> None:
        with pytest.raises(SignatureRefused):
            verify(BODY + b" ", standard_headers(), [SECRET])
        with pytest.raises(SignatureRefused):
            verify(BODY, standard_headers(secret="whsec_b3RoZXI="), [SECRET])

    def test_missing_id_or_timestamp_is_refused(self) -> None:
        for missing in ("webhook-id", "webhook-timestamp"):
            headers = standard_headers()
            del headers[missing]
            with pytest.raises(SignatureRefused):
                verify(BODY, headers, [SECRET])

    def test_no_configured_secret_refuses_everything(self) -> None:
        with pytest.raises(SignatureRefused):
            verify(BODY, standard_headers(), [])
