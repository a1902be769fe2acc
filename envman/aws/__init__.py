"""AWS settings of an environment: what terraform's child process and boto3 get."""
