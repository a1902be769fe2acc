output "alarm_topic_arn" {
  description = "SNS topic the CloudWatch alarms notify."
  value       = module.monitoring.sns_topic_arn
}
