// Health probes of the Functions app.
//
// Loading T5-XXL and the transformer onto the GPU takes minutes (in model source 'blob' the init
// container has already copied the files by then): the startup probe allows 60 s + 10 x 60 s,
// the API's maxima for the initial delay and the failure count, before the container restarts.

func startupPatience() object => {
  initialDelaySeconds: 60
  periodSeconds: 60
  timeoutSeconds: 10
  failureThreshold: 10
}

@export()
@description('Startup, liveness and readiness probes on the app\'s anonymous health function.')
func healthFunctionProbes(path string, port int) object[] => [
  union(startupPatience(), {
    type: 'Startup'
    httpGet: {
      path: path
      port: port
    }
  })
  {
    type: 'Liveness'
    httpGet: {
      path: path
      port: port
    }
    periodSeconds: 30
    timeoutSeconds: 10
    failureThreshold: 5
  }
  {
    type: 'Readiness'
    httpGet: {
      path: path
      port: port
    }
    periodSeconds: 15
    timeoutSeconds: 10
    failureThreshold: 3
  }
]

@export()
@description('A startup probe on the TCP port, for an image without the health function.')
func tcpStartupProbe(port int) object[] => [
  union(startupPatience(), {
    type: 'Startup'
    tcpSocket: {
      port: port
    }
  })
]
