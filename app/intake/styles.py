"""The portal's only stylesheet, inlined in each page and allowed by its hash, so the
Content-Security-Policy needs neither 'unsafe-inline' nor a second request."""

import base64
import hashlib

CSS = """
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1b1f24;background:#f4f5f7}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .75rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:#0b57d0}
a:focus,input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #f5b400;
outline-offset:1px}
fieldset{border:1px solid #c9ced6;border-radius:6px;margin:0 0 1.25rem;padding:.75rem 1rem 1rem;
background:#fff}
legend{font-weight:600;padding:0 .25rem}
.field{margin:0 0 1rem}
label,.label{display:block;font-weight:600;margin:0 0 .25rem}
.req{font-weight:400;color:#4a5360}
input[type=text],input[type=email],select,textarea{width:100%;font:inherit;padding:.5rem;
border:2px solid #6b7480;border-radius:4px;background:#fff;color:inherit}
textarea{min-height:9rem;resize:vertical}
input[aria-invalid=true],textarea[aria-invalid=true]{border-color:#b3261e}
.radios{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem}
.radios label{display:inline-flex;align-items:center;gap:.4rem;font-weight:400;margin:0}
.hint{color:#4a5360;margin:0 0 .4rem}
.error{color:#b3261e;font-weight:600;margin:0 0 .35rem}
.summary{border:3px solid #b3261e;border-radius:6px;background:#fff;padding:.75rem 1rem;
margin:0 0 1.25rem}
.summary h2{margin-top:0}
.notice{border-left:6px solid #1e7f3c;background:#fff;padding:.75rem 1rem;margin:0 0 1.25rem}
.private{word-break:break-all;font-family:ui-monospace,Menlo,Consolas,monospace}
button{font:inherit;font-weight:600;padding:.6rem 1.25rem;border:0;border-radius:4px;
background:#1e7f3c;color:#fff;cursor:pointer}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
.facts dt{font-weight:600}.facts dd{margin:0}
ol.messages,ul.tickets{list-style:none;padding:0;margin:0 0 1.5rem}
ol.messages li,ul.tickets li{background:#fff;border:1px solid #c9ced6;border-radius:6px;
padding:.75rem 1rem;margin:0 0 .75rem}
.meta{color:#4a5360;font-size:.9rem;margin:0 0 .35rem}
.body{white-space:pre-wrap;overflow-wrap:anywhere;margin:0}
@media (max-width:30rem){main{padding:1rem .75rem 2rem}h1{font-size:1.35rem}}
""".strip()

STYLE_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()

# No script at all: the pages work as plain HTML forms. Forms post only to this origin.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Status and lookup pages have a secret in their URL; no other site may learn it.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
