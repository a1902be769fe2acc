# The network component (terraform/network).
enable_nat_gateway = false
