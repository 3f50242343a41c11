"""`dialer ear`: hear answers as they are spoken, on the call's Media Stream (`server`), per question
(`listener`), storing what it heard (`store`) and moving the call on through the gateway's REST API."""
