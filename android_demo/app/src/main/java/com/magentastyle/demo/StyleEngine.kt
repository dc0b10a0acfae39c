package com.magentastyle.demo

import android.content.Context
import android.os.SystemClock
import android.util.Log
import com.magentastyle.core.InputSize
import com.magentastyle.core.Manifest
import org.tensorflow.lite.DataType
import org.tensorflow.lite.Interpreter
import org.tensorflow.lite.gpu.CompatibilityList
import org.tensorflow.lite.gpu.GpuDelegate
import org.tensorflow.lite.support.common.FileUtil
import java.io.Closeable
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.MappedByteBuffer

/**
 * Runs the exported model through its signature, by name: signature [Manifest.signature]
 * ("serving_default"), inputs [Manifest.contentInput] ("content", float32 [1, H, W, 3] in [0, 1])
 * and [Manifest.styleInput] ("style_embedding", float32 [1, N]), output [Manifest.output]
 * ("stylized", float32 [1, H, W, 3]). The order of the tensors inside the file is never assumed.
 *
 * Not thread-safe: use one instance from a single thread.
 */
class StyleEngine private constructor(
    private val manifest: Manifest,
    private val interpreter: Interpreter,
    private val gpuDelegate: GpuDelegate?,
    /** Why the GPU was requested but not used, or null. */
    val gpuFallbackReason: String?,
    private val numThreads: Int,
) : Closeable {

    enum class Backend { GPU, CPU }

    class Output(
        /** NHWC RGB floats, `size.width() * size.height() * 3`. */
        val rgb: FloatArray,
        val size: InputSize,
        /** Wall time of the interpreter call alone. */
        val inferenceMillis: Double,
    )

    val backend: Backend = if (gpuDelegate != null) Backend.GPU else Backend.CPU

    val backendLabel: String
        get() = if (backend == Backend.GPU) "GPU" else "CPU ×$numThreads"

    private val signature: String = manifest.signature()
    private val contentIndex: Int = validateAndFindContentIndex()
    private var allocatedSize: InputSize? = null

    private var contentBuffer: ByteBuffer? = null
    private var outputBuffer: ByteBuffer? = null
    private val styleBuffer: ByteBuffer = directBuffer(manifest.embeddingSize())

    /** Checks the model against the manifest; releases the interpreter if it does not fit. */
    private fun validateAndFindContentIndex(): Int = try {
        validateSignature()
        findContentInputIndex()
    } catch (t: Throwable) {
        closeQuietly()
        throw t
    }

    private fun validateSignature() {
        val keys = interpreter.signatureKeys
        check(signature in keys) {
            "model.tflite has no signature '$signature' (found: ${keys.joinToString()})"
        }
        val inputs = interpreter.getSignatureInputs(signature)
        for (name in listOf(manifest.contentInput(), manifest.styleInput())) {
            check(name in inputs) {
                "signature '$signature' has no input '$name' (found: ${inputs.joinToString()})"
            }
        }
        val outputs = interpreter.getSignatureOutputs(signature)
        check(manifest.output() in outputs) {
            "signature '$signature' has no output '${manifest.output()}' (found: ${outputs.joinToString()})"
        }
        val style = interpreter.getInputTensorFromSignature(manifest.styleInput(), signature)
        check(style.dataType() == DataType.FLOAT32) {
            "input '${manifest.styleInput()}' is ${style.dataType()}, expected FLOAT32"
        }
        check(style.numElements() == manifest.embeddingSize()) {
            "input '${manifest.styleInput()}' has shape ${style.shape().contentToString()} " +
                "but styles.json says embedding_size ${manifest.embeddingSize()}"
        }
        val content = interpreter.getInputTensorFromSignature(manifest.contentInput(), signature)
        check(content.dataType() == DataType.FLOAT32) {
            "input '${manifest.contentInput()}' is ${content.dataType()}, expected FLOAT32"
        }
        check(content.numDimensions() == 4) {
            "input '${manifest.contentInput()}' has shape ${content.shape().contentToString()}, expected [1, H, W, 3]"
        }
    }

    /**
     * Interpreter.resizeInput takes an input index, while the signature only names its inputs.
     * The signature's content tensor is the same object as one of the interpreter's input tensors
     * (LiteRT caches them per index); fall back to the only rank-4, 3-channel input.
     */
    private fun findContentInputIndex(): Int {
        val target = interpreter.getInputTensorFromSignature(manifest.contentInput(), signature)
        val count = interpreter.inputTensorCount
        for (i in 0 until count) {
            if (interpreter.getInputTensor(i) === target) return i
        }
        val candidates = (0 until count).filter { i ->
            val shape = interpreter.getInputTensor(i).shapeSignature()
            shape.size == 4 && shape[3] == 3
        }
        check(candidates.size == 1) {
            "cannot map signature input '${manifest.contentInput()}' to an interpreter input index"
        }
        return candidates[0]
    }

    /**
     * Stylizes one image.
     *
     * @param content NHWC RGB floats in [0, 1] of `size`
     * @param style the (blended) style embedding
     */
    fun run(content: FloatArray, style: FloatArray, size: InputSize): Output {
        val count = size.width() * size.height() * 3
        require(content.size == count) { "content has ${content.size} floats, expected $count for $size" }
        require(style.size == manifest.embeddingSize()) {
            "style embedding has ${style.size} values, expected ${manifest.embeddingSize()}"
        }
        if (size != allocatedSize) {
            // Resize the content input (by index, looked up through the signature) and re-plan memory.
            interpreter.resizeInput(contentIndex, size.tensorShape())
            interpreter.allocateTensors()
            allocatedSize = size
        }
        val output = interpreter.getOutputTensorFromSignature(manifest.output(), signature)
        check(output.numBytes() == count * 4) {
            "output '${manifest.output()}' has ${output.numBytes()} bytes for input $size, expected ${count * 4} " +
                "(shape ${output.shape().contentToString()})"
        }

        val contentBuf = contentBuffer?.takeIf { it.capacity() == count * 4 } ?: directBuffer(count).also { contentBuffer = it }
        val outputBuf = outputBuffer?.takeIf { it.capacity() == count * 4 } ?: directBuffer(count).also { outputBuffer = it }
        contentBuf.clear()
        contentBuf.asFloatBuffer().put(content)
        styleBuffer.clear()
        styleBuffer.asFloatBuffer().put(style)
        outputBuf.clear()

        val inputs = mapOf<String, Any>(manifest.contentInput() to contentBuf, manifest.styleInput() to styleBuffer)
        val outputs = mapOf<String, Any>(manifest.output() to outputBuf)
        val start = SystemClock.elapsedRealtimeNanos()
        interpreter.runSignature(inputs, outputs, signature)
        val millis = (SystemClock.elapsedRealtimeNanos() - start) / 1e6

        val rgb = FloatArray(count)
        outputBuf.rewind()
        outputBuf.asFloatBuffer().get(rgb)
        return Output(rgb, size, millis)
    }

    override fun close() {
        closeQuietly()
    }

    private fun closeQuietly() {
        try {
            interpreter.close()
        } catch (t: Throwable) {
            Log.w(TAG, "closing interpreter", t)
        }
        try {
            gpuDelegate?.close()
        } catch (t: Throwable) {
            Log.w(TAG, "closing GPU delegate", t)
        }
    }

    companion object {
        private const val TAG = "StyleEngine"

        /** 2 to 4 CPU threads, depending on the device. */
        val cpuThreads: Int = Runtime.getRuntime().availableProcessors().coerceIn(2, 4)

        /** Maps a model [file] of the assets: [Manifest.modelFile] or [Manifest.cameraModelFile]. */
        fun loadModel(context: Context, file: String): MappedByteBuffer =
            FileUtil.loadMappedFile(context, file)

        /** Whether LiteRT's compatibility list allows the GPU delegate here (false if it cannot load). */
        fun isGpuSupported(): Boolean = try {
            CompatibilityList().use { it.isDelegateSupportedOnThisDevice }
        } catch (t: Throwable) {
            Log.w(TAG, "GPU compatibility check failed", t)
            false
        }

        /**
         * Creates an engine. With [preferGpu], tries the GPU delegate first and falls back to the
         * CPU (XNNPACK, [cpuThreads] threads) if the delegate cannot be created or applied.
         */
        fun create(model: MappedByteBuffer, manifest: Manifest, preferGpu: Boolean): StyleEngine {
            var fallbackReason: String? = null
            if (preferGpu) {
                var delegate: GpuDelegate? = null
                try {
                    CompatibilityList().use { compat ->
                        if (!compat.isDelegateSupportedOnThisDevice) {
                            throw IllegalStateException("not on the GPU compatibility list")
                        }
                        delegate = GpuDelegate(compat.bestOptionsForThisDevice)
                    }
                    val options = Interpreter.Options().apply {
                        addDelegate(delegate!!)
                        setNumThreads(cpuThreads)
                    }
                    val interpreter = Interpreter(model, options)
                    return StyleEngine(manifest, interpreter, delegate, null, cpuThreads)
                } catch (t: Throwable) {
                    Log.w(TAG, "GPU delegate unavailable, using CPU", t)
                    try {
                        delegate?.close()
                    } catch (ignored: Throwable) {
                    }
                    fallbackReason = t.message ?: t.javaClass.simpleName
                }
            }
            val options = Interpreter.Options().apply {
                setNumThreads(cpuThreads)
                setUseXNNPACK(true)
            }
            val interpreter = Interpreter(model, options)
            return StyleEngine(manifest, interpreter, null, fallbackReason, cpuThreads)
        }

        /** A native-order direct buffer of [floats] float32 values, as the interpreter reads and writes. */
        internal fun directBuffer(floats: Int): ByteBuffer =
            ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder())
    }
}
