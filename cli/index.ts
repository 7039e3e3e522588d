console.log("glance-desktop: not implemented yet")
