# The edge component (terraform/edge): frontend and CDN.
# Initial release only: afterwards the value comes from promotion (staging's outputs).
frontend_release       = "0.1.0"
cloudfront_price_class = "PriceClass_All"
