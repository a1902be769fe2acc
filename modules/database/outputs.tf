# Credentials are never output: consumers get the secret's ARN and read it at run time.

output "address" {
  description = "Host name of the instance."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance."
  value       = aws_db_instance.this.port
}

output "db_name" {
  description = "Name of the application database."
  value       = aws_db_instance.this.db_name
}

output "instance_identifier" {
  description = "Identifier of the instance (CloudWatch dimension DBInstanceIdentifier)."
  value       = aws_db_instance.this.identifier
}

output "instance_arn" {
  description = "ARN of the instance."
  value       = aws_db_instance.this.arn
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret with the master credentials (JSON: username, password, engine, dbname)."
  value       = aws_secretsmanager_secret.master.arn
}
