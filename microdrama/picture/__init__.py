"""The picture: storyboard keyframes, captions, fonts, and the compositor that cuts them."""
