"""`kpibot demo`: the demo shop's settings and the story the demo tells."""
