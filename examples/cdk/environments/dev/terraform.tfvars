frontend_release = "f1"
