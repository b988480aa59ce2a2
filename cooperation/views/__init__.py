"""Views for people and tools: a status as text or JSON, a workflow described or drawn as a diagram."""
