# The app component (terraform/app): the API service.
# Initial release; later runs pin the value of the environment's current release.
backend_image_tag = "0.1.0"
task_cpu          = 256
task_memory       = 512
desired_count     = 1
