# The edge component (terraform/edge): frontend and CDN.
# Initial release; later runs pin the value of the environment's current release.
frontend_release = "0.1.0"
