console.log("harness: not implemented yet")
