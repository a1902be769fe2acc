output "api_id" {
  description = "ID of the HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "endpoint" {
  description = "Invoke URL of the $default stage (no trailing slash)."
  value       = trimsuffix(aws_apigatewayv2_stage.default.invoke_url, "/")
}

output "execution_arn" {
  description = "Execution ARN of the API (for permissions)."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "access_log_group_name" {
  description = "CloudWatch log group of the access logs."
  value       = aws_cloudwatch_log_group.access.name
}
