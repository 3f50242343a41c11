"""The only room that talks to the telephony provider (Twilio or a Twilio-compatible gateway).

`dialer.gateway.signature` signs and checks `X-Twilio-Signature`; the emulator signs its webhooks
with it and the service's webhook check validates them with it.
"""
