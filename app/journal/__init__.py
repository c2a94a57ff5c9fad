"""Recording a change once: the domain's timeline, the event log and the audit chain."""
