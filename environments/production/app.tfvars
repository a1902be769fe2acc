# The app component (terraform/app): the API service.
# Initial release only: afterwards the value comes from promotion (staging's outputs).
backend_image_tag = "0.1.0"
task_cpu          = 1024
task_memory       = 2048
desired_count     = 3
