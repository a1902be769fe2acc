"""envman init: adopting envman in a terraform repository."""
