package com.magentastyle.demo

import android.content.Context
import com.magentastyle.core.Predictor
import com.magentastyle.core.SquareView
import org.tensorflow.lite.DataType
import org.tensorflow.lite.Interpreter
import org.tensorflow.lite.support.common.FileUtil
import java.io.Closeable
import java.nio.MappedByteBuffer

/**
 * Runs the style predictor (predictor.tflite) through its signature by name: signature
 * [Predictor.signature], input [Predictor.input] (float32 [1, S, S, 3] in [0, 1], a picture's
 * [SquareView]) and output [Predictor.output] (float32 [1, D], a style embedding like those of
 * styles.json). The order of the tensors inside the file is never assumed.
 *
 * CPU only (XNNPACK): it runs once per picked picture, not per stylization. Not thread-safe: use
 * one instance from a single thread.
 */
class PredictorEngine(model: MappedByteBuffer, private val predictor: Predictor) : Closeable {

    private val interpreter = Interpreter(
        model,
        Interpreter.Options().apply {
            setNumThreads(StyleEngine.cpuThreads)
            setUseXNNPACK(true)
        },
    )
    private val signature: String = predictor.signature()
    private val side: Int = predictor.inputSide()
    private val inputBuffer = StyleEngine.directBuffer(side * side * 3)
    private val outputBuffer = StyleEngine.directBuffer(predictor.embeddingSize())

    init {
        try {
            validateSignature()
        } catch (t: Throwable) {
            interpreter.close()
            throw t
        }
    }

    private fun validateSignature() {
        val file = predictor.modelFile()
        val keys = interpreter.signatureKeys
        check(signature in keys) { "$file has no signature '$signature' (found: ${keys.joinToString()})" }
        val inputs = interpreter.getSignatureInputs(signature)
        check(predictor.input() in inputs) {
            "signature '$signature' of $file has no input '${predictor.input()}' (found: ${inputs.joinToString()})"
        }
        val outputs = interpreter.getSignatureOutputs(signature)
        check(predictor.output() in outputs) {
            "signature '$signature' of $file has no output '${predictor.output()}' (found: ${outputs.joinToString()})"
        }
        val input = interpreter.getInputTensorFromSignature(predictor.input(), signature)
        check(input.dataType() == DataType.FLOAT32 && input.shape().contentEquals(predictor.inputShape())) {
            "input '${predictor.input()}' is ${input.dataType()} ${input.shape().contentToString()}, " +
                "styles.json says FLOAT32 ${predictor.inputShape().contentToString()}"
        }
        val output = interpreter.getOutputTensorFromSignature(predictor.output(), signature)
        check(output.dataType() == DataType.FLOAT32 && output.numElements() == predictor.embeddingSize()) {
            "output '${predictor.output()}' is ${output.dataType()} ${output.shape().contentToString()}, " +
                "styles.json says FLOAT32 [1, ${predictor.embeddingSize()}]"
        }
    }

    /**
     * The style embedding of a picture.
     *
     * @param argb the picture's pixels, `width * height`, in Bitmap.getPixels' layout
     * @throws IllegalStateException if the predictor gives a value that is not finite
     */
    fun embedding(argb: IntArray, width: Int, height: Int): FloatArray {
        inputBuffer.clear()
        inputBuffer.asFloatBuffer().put(SquareView.tensor(argb, width, height, side))
        outputBuffer.clear()
        interpreter.runSignature(
            mapOf<String, Any>(predictor.input() to inputBuffer),
            mapOf<String, Any>(predictor.output() to outputBuffer),
            signature,
        )
        val embedding = FloatArray(predictor.embeddingSize())
        outputBuffer.rewind()
        outputBuffer.asFloatBuffer().get(embedding)
        check(embedding.all { it.isFinite() }) { "the style predictor gave a value that is not finite" }
        return embedding
    }

    override fun close() {
        interpreter.close()
    }

    companion object {
        fun loadModel(context: Context, predictor: Predictor): MappedByteBuffer =
            FileUtil.loadMappedFile(context, predictor.modelFile())
    }
}
