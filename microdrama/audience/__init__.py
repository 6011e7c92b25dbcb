"""The audience: engagement in, a posterior over concept features, and the decisions it drives."""
