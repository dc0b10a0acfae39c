// Pure JVM module: all logic the app depends on (manifest + style-file parsing, blending, pixel
// conversion, input sizing). No Android APIs, no dependencies; Java 17 bytecode.
// The same sources are compiled and tested without Gradle by ../run_jvm_tests.sh.
plugins {
    `java-library`
}

java {
    sourceCompatibility = JavaVersion.VERSION_17
    targetCompatibility = JavaVersion.VERSION_17
}

tasks.withType<JavaCompile>().configureEach {
    options.release.set(17)
    options.encoding = "UTF-8"
}

dependencies {
    testImplementation(libs.junit)
}

tasks.register<JavaExec>("contract") {
    group = "verification"
    description = "Writes the JVM side of the Python<->JVM contract: -Pmanifest=styles.json -Pout=contract.json"
    classpath = sourceSets["main"].runtimeClasspath
    mainClass.set("com.magentastyle.core.ContractMain")
    args(
        providers.gradleProperty("manifest").getOrElse("styles.json"),
        providers.gradleProperty("out").getOrElse("contract.json"),
    )
}
