// Pure JVM module: all logic the app depends on (manifest + style-file parsing, blending, pixel
// conversion, input sizing). No Android APIs; Java 17 bytecode. Its one dependency, org.json, is part
// of the Android platform, so it is compileOnly here (bundling it would clash with the platform's
// classes) and on the test classpath for the JVM.
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
    compileOnly(libs.android.json)
    testImplementation(libs.android.json)
    testImplementation(libs.junit)
}

tasks.register<JavaExec>("contract") {
    group = "verification"
    description = "Writes the JVM side of the Python<->JVM contract: -Pmanifest=styles.json -Pout=contract.json"
    classpath = sourceSets["test"].runtimeClasspath
    mainClass.set("com.magentastyle.core.ContractMain")
    args(
        providers.gradleProperty("manifest").getOrElse("styles.json"),
        providers.gradleProperty("out").getOrElse("contract.json"),
    )
}
