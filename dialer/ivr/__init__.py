"""The call itself: scripts (ivr_scripts/), the pure conversation (`flow`), TwiML rendering, webhooks.

`script` loads and validates the files; `flow.start` / `flow.step` decide each turn without I/O;
`twiml.render` turns a step into TwiML. The webhooks (Flask) translate the gateway's posts into
`flow` events and store what each step records.
"""
