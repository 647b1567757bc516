"""The Slack edge: the Bolt app and its listeners, HTTP and Socket Mode, the Web API client, posters."""
